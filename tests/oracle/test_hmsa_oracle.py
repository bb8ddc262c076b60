"""HRNet-OCR multi-scale attention: the authors' checkpoint, converted by
our CLI, reproduces the authors' outputs (the oracle in
``../shared/reference/hmsa``).

The checkpoint is the authors' layout (``layout.json``, ``module.`` keys)
filled by the oracle's ``weights.py`` (seed 0), saved as their code saves it
(``{'state_dict': ...}``), converted with
``tools/model_converters/hmsa_mscale_ocr.py`` and loaded strictly into the
Cityscapes config's model in float64. At both fixture sizes (one a multiple
of 32, one not) one multi-scale pass (0.5, 1.0, 2.0) gives the joint
prediction (``ms``) and, recorded by forward hooks at the 1.0 scale, the
single-scale logits, soft-region logits and attention before upsampling.
"""
import os.path as osp

import numpy as np
import pytest
import torch
from helpers import (REPO_ROOT, authors_weights, convert_with_cli,
                     float64_model, load_module, reference_dir, rel_diff)

import mmseg_gated  # noqa: F401

pytestmark = [
    # third-party deprecations raised while reading mmseg:: base configs
    # and building mmseg's decode heads
    pytest.mark.filterwarnings('ignore:pkg_resources is deprecated'),
    pytest.mark.filterwarnings('ignore:``build_loss`` would be deprecated'),
]

CONFIG = osp.join(
    REPO_ROOT, 'configs', 'hmsa',
    'ocrnet-hmsa_hr48_16xb1-175e_cityscapes-fine-coarse-1024x2048.py')
SIZES = ('128x256', '120x200')
TOL = 1e-6


@pytest.fixture(scope='module')
def oracle():
    return np.load(osp.join(reference_dir('hmsa'), 'hmsa', 'fixtures.npz'))


@pytest.fixture(scope='module')
def model(oracle, tmp_path_factory):
    """The config's model with the converted seed-0 checkpoint (float64,
    eval)."""
    conv = load_module('hmsa_converter',
                       'tools/model_converters/hmsa_mscale_ocr.py')
    converted = convert_with_cli(
        conv, {'state_dict': authors_weights('hmsa', seed=0)},
        tmp_path_factory.mktemp('hmsa_oracle'))
    net = float64_model(CONFIG)
    net.load_state_dict(converted['state_dict'], strict=True)
    return net.eval()


def test_config_computes_as_the_authors(model):
    assert type(model.backbone).__name__ == 'ResizeOnceHRNet'
    assert model.upsample_to_input
    assert model.test_scales == (0.5, 1.0, 2.0)


@pytest.mark.parametrize('size', SIZES)
def test_outputs_match_the_authors(model, oracle, size):
    record = {'single': [], 'single_aux': [], 'single_attn': []}
    modules = {
        'single': model.decode_head[1].conv_seg,
        'single_aux': model.decode_head[0].conv_seg,
        'single_attn': model.decode_head[1].scale_attn
    }
    handles = [
        m.register_forward_hook(
            lambda mod, args, out, name=name: record[name].append(out))
        for name, m in modules.items()
    ]
    x = torch.from_numpy(oracle[f'x_{size}'])
    try:
        with torch.no_grad():
            ms = model.encode_decode(x, [dict(img_shape=x.shape[2:])])
    finally:
        for h in handles:
            h.remove()
    diffs = {'ms': rel_diff(ms, torch.from_numpy(oracle[f'ms_{size}']))}
    for name, outs in record.items():
        assert len(outs) == 3  # one call per scale
        theirs = torch.from_numpy(oracle[f'{name}_{size}'])
        # the 1.0 scale's output, before the upsampling to the input size
        ours = [o for o in outs if o.shape[2:] == theirs.shape[2:]]
        assert len(ours) == 1, [o.shape for o in outs]
        diffs[name] = rel_diff(ours[0], theirs)
    assert all(d <= TOL for d in diffs.values()), diffs
