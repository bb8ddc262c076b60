"""GFF Table 1 warm start: "we use weights from the trained PSPNet to
initialize the parameters in each fusion method" (GFF paper, Sec. 4.1).

mmseg's own PSPNet (the baseline config of ``configs/gff``, random weights)
is loaded the way mmengine's ``load_from`` loads a checkpoint (non-strict,
shape mismatches skipped) into each Table 1 model; every PSPNet tensor
whose name and shape the GFF model has must arrive: the backbone, the PPM
branches, the PSP bottleneck and the aux head (the classifier only where
its shape matches).
"""
import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.runner.checkpoint import load_state_dict
from mmseg.registry import MODELS

import mmseg_gated  # noqa: F401

pytestmark = [
    pytest.mark.filterwarnings('ignore:pkg_resources is deprecated'),
    pytest.mark.filterwarnings('ignore:``build_loss`` would be deprecated'),
]

GFF = osp.join(REPO_ROOT, 'configs', 'gff')
BASELINE = 'pspnet_r101-d8_8xb1-100k_cityscapes-864x864.py'
TABLE1 = ('pspnet-concat', 'pspnet-add', 'pspnet-fpn', 'pspnet-gatedfpn',
          'pspnet-gff')
# parts of mmseg's PSPHead: the PPM branches and the 3x3 bottleneck
PSP_PARTS = ('decode_head.psp_modules.', 'decode_head.bottleneck.')


def build(name):
    cfg = Config.fromfile(osp.join(GFF, name))
    cfg.model.pretrained = None
    cfg.model.backbone.init_cfg = None
    return revert_sync_batchnorm(MODELS.build(cfg.model))


@pytest.fixture(scope='module')
def pspnet_state():
    """A 'trained' PSPNet: every tensor random, so equal means loaded."""
    torch.manual_seed(0)
    model = build(BASELINE)
    assert type(model.decode_head).__name__ == 'PSPHead'
    state = model.state_dict()
    for v in state.values():
        if v.is_floating_point():
            v.copy_(torch.randn_like(v))
    return state


def loaded(model, state):
    """Keys of ``state`` whose tensor ``model`` holds after the load."""
    load_state_dict(model, state, strict=False, logger='silent')
    ours = model.state_dict()
    return {
        k
        for k, v in state.items() if v.is_floating_point() and k in ours
        and ours[k].shape == v.shape and torch.equal(ours[k], v)
    }


@pytest.mark.parametrize('row', TABLE1)
def test_table1_model_starts_from_the_trained_pspnet(pspnet_state, row):
    model = build(f'{row}_r101-d8_8xb1-100k_cityscapes-864x864.py')
    ours = model.state_dict()
    got = loaded(model, pspnet_state)
    floats = {k for k, v in pspnet_state.items() if v.is_floating_point()}
    fits = {
        k
        for k in floats if k in ours and ours[k].shape == pspnet_state[k].shape
    }
    # every tensor that fits arrives, and all PSP parts fit
    assert got == fits
    for part in PSP_PARTS + ('backbone.', 'auxiliary_head.'):
        keys = {k for k in floats if k.startswith(part)}
        assert keys and keys <= got, part
    # the classifier of the fusion models sees the fused concat: different
    # input width, so its weight (only it) stays at its initialisation
    assert floats - got == {'decode_head.conv_seg.weight'}
    assert ours['decode_head.conv_seg.weight'].shape[1] != \
        pspnet_state['decode_head.conv_seg.weight'].shape[1]
