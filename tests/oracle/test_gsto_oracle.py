"""GSTO-HRNet-W48: the authors' checkpoint, converted by our CLI, reproduces
the authors' outputs (the oracle in ``../shared/reference/gsto``).

The checkpoint is the authors' layout (``layout.json``: ``model.*`` keys of
their ``FullModel`` plus ``loss.criterion.weight``) filled by the oracle's
``weights.py`` (seed 0), saved as their training saves it (the FullModel
state dict), converted with ``tools/model_converters/gsto_hrnet.py`` and
loaded strictly into the config's model in float64. Every stored output is
compared at both fixture sizes (one a multiple of 32, one not).
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
    state = authors_weights('gsto', seed=0)
    assert 'loss.criterion.weight' in state  # as their FullModel saves it
    conv = load_module('gsto_hrnet_converter',
                       'tools/model_converters/gsto_hrnet.py')
    logs = []
    conv.print_log = lambda msg, **kwargs: logs.append(msg)
    converted = convert_with_cli(conv, state,
                                 tmp_path_factory.mktemp('gsto_oracle'),
                                 'final_state')
    del state

    model = float64_model(CONFIG)
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
