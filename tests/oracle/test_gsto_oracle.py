"""GSTO-HRNet-W48: the authors' checkpoint, converted by our CLI, reproduces
the authors' outputs (the oracle in ``../shared/reference/gsto``).

The checkpoint is the authors' layout (``layout.json``: ``model.*`` keys of
their ``FullModel`` plus ``loss.criterion.weight``) filled by the oracle's
``weights.py`` (seed 0), saved as their training saves it (the FullModel
state dict), converted with ``tools/model_converters/gsto_hrnet.py`` and
loaded strictly into the config's model in float64. Every stored output is
compared at both fixture sizes (one a multiple of 32, one not).
"""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from helpers import REPO_ROOT, load_module, reference_dir, rel_diff

import mmseg_gated  # noqa: F401

pytestmark = [
    # third-party deprecations raised while reading mmseg:: base configs
    # and building mmseg's decode heads
    pytest.mark.filterwarnings('ignore:pkg_resources is deprecated'),
    pytest.mark.filterwarnings('ignore:``build_loss`` would be deprecated'),
]

CONFIG = osp.join(REPO_ROOT, 'configs', 'gsto',
                  'fcn_gsto-hr48_4xb3-120k_cityscapes-512x1024.py')
SIZES = ('128x256', '121x121')
TOL = 1e-6


@pytest.fixture(scope='module')
def oracle():
    root = reference_dir('gsto')
    return np.load(osp.join(root, 'gsto', 'fixtures.npz'))


@pytest.fixture(scope='module')
def converted(oracle, tmp_path_factory):
    """The config's model with the converted seed-0 checkpoint (float64,
    eval) and the converter's log lines."""
    from mmengine.config import Config
    from mmengine.model import revert_sync_batchnorm
    from mmseg.registry import MODELS

    root = reference_dir('gsto')
    weights = load_module('oracle_weights', osp.join(root, 'weights.py'))
    layout = weights.load_layout(osp.join(root, 'gsto', 'layout.json'))
    state = weights.make_state_dict(layout, seed=0)
    assert 'loss.criterion.weight' in state  # as their FullModel saves it
    tmp = tmp_path_factory.mktemp('gsto_oracle')
    src, dst = tmp / 'final_state.pth', tmp / 'converted.pth'
    torch.save(state, src)
    del state

    conv = load_module(
        'gsto_hrnet_converter',
        osp.join(REPO_ROOT, 'tools', 'model_converters', 'gsto_hrnet.py'))
    logs = []
    conv.print_log = lambda msg, **kwargs: logs.append(msg)
    conv.main([str(src), str(dst)])
    converted = torch.load(dst, map_location='cpu', weights_only=True)
    os.remove(src)
    os.remove(dst)

    cfg = Config.fromfile(CONFIG)
    cfg.model.pretrained = None
    model = revert_sync_batchnorm(MODELS.build(cfg.model)).double()
    model.load_state_dict(converted['state_dict'], strict=True)
    model.eval()
    return model, logs


def test_converter_skips_the_loss_weights_with_one_log_line(converted):
    _, logs = converted
    assert len(logs) == 1
    assert 'loss.criterion.weight' in logs[0]


@pytest.mark.parametrize('size', SIZES)
def test_outputs_match_the_authors(converted, oracle, size):
    model, _ = converted
    x = torch.from_numpy(oracle[f'x_{size}'])
    with torch.no_grad():
        feats = model.backbone(x)
        logits = model.decode_head(feats)
    ours = dict(logits=logits, aux2=feats[4], aux3=feats[5])
    diffs = {
        name: rel_diff(out, torch.from_numpy(oracle[f'{name}_{size}']))
        for name, out in ours.items()
    }
    assert all(d <= TOL for d in diffs.values()), diffs
