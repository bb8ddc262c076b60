"""Gated-SCNN against the oracle: the authors' nv-tlabs/GSCNN WiderResNet-38
``GSCNN`` outputs on deterministic weights (``../shared/reference/gscnn``).

The authors'-layout checkpoint is regenerated from the oracle's
``weights.py`` + ``gscnn/layout.json`` (seed 0), saved as their training
saves it (``{'state_dict': ...}``, DataParallel ``module.`` keys), read
back and converted with ``convert`` of
``tools/model_converters/gscnn_official.py`` (its command line is
``test_gscnn_converter.py``'s), loaded strictly into the model of the config
the converter names
(SyncBN -> BN, no pretrained weights) in float64 and compared at both
fixture sizes: the segmentation logits (``encode_decode``), the edge map
(sigmoid of the head's edge logits from the same call) and, separately, the
gradient step (their Canny map).
"""
import importlib.util
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope

import mmseg_gated  # noqa: F401
from mmseg.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONVERTER = osp.join(REPO_ROOT, 'tools', 'model_converters',
                     'gscnn_official.py')
SIZES = ('96x128', '97x129')
TOL = 1e-6
# their layout resizes with align_corners=True between sizes that are not
# n*k+1 apart; mmseg's resize says so at every call
pytestmark = pytest.mark.filterwarnings(
    'ignore:When align_corners=True:UserWarning')


def reference_dir():
    root = os.environ.get('MMSEG_GATED_REFERENCE',
                          osp.join(REPO_ROOT, '..', 'shared', 'reference'))
    if not osp.isfile(osp.join(root, 'gscnn', 'fixtures.npz')):
        pytest.skip(f'Gated-SCNN oracle not found under {root} (set '
                    'MMSEG_GATED_REFERENCE or place the oracle at '
                    '../shared/reference)')
    return root


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def authors_checkpoint(root, path, seed=0):
    """The file the authors' training writes; returns its number of keys."""
    weights = load_module('oracle_weights', osp.join(root, 'weights.py'))
    layout = weights.load_layout(osp.join(root, 'gscnn', 'layout.json'))
    state_dict = weights.make_state_dict(layout, seed=seed)
    assert all(k.startswith('module.') for k in state_dict)
    torch.save(dict(state_dict=state_dict), path)
    return len(state_dict)


def rel_err(got, want):
    return ((got - want).abs().max() / want.abs().max()).item()


@pytest.fixture(scope='module')
def converted_model(tmp_path_factory):
    """Authors' checkpoint file -> converter -> strict load (float64)."""
    root = reference_dir()
    init_default_scope('mmseg')
    src = str(tmp_path_factory.mktemp('gscnn_oracle') / 'authors.pth')
    num_keys = authors_checkpoint(root, src)
    converter = load_module('gscnn_official', CONVERTER)
    converted = converter.convert(
        torch.load(src, map_location='cpu', weights_only=True, mmap=True))
    # the config the converter names
    cfg = Config.fromfile(osp.join(REPO_ROOT, converter.CONFIG))
    cfg.model.backbone.init_cfg = None  # no pretrained weights
    model = revert_sync_batchnorm(MODELS.build(cfg.model)).double().eval()
    model.load_state_dict(converted, strict=True)
    # every tensor of theirs arrived but the unused dsn1 (2 keys); their
    # classifier has no bias (+1)
    assert len(converted) == num_keys - 2 + 1
    del converted
    os.remove(src)
    with np.load(osp.join(root, 'gscnn', 'fixtures.npz')) as data:
        fixtures = {k: torch.from_numpy(data[k]) for k in data.files}
    return model, fixtures


def run(model, x):
    """``encode_decode`` and the head's edge logits from the same call."""
    head = model.decode_head
    seen = []
    forward = head.forward

    def record(*args, **kwargs):
        out = forward(*args, **kwargs)
        seen.append(out[1])
        return out

    head.forward = record
    try:
        h, w = x.shape[2:]
        meta = [dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w))]
        with torch.no_grad():
            seg = model.encode_decode(x, meta)
    finally:
        del head.forward
    assert len(seen) == 1
    return seg, torch.sigmoid(seen[0])


@pytest.mark.parametrize('size', SIZES)
def test_outputs_match_the_authors(converted_model, size):
    model, fixtures = converted_model
    seg, edge = run(model, fixtures[f'x_{size}'])
    want_seg, want_edge = fixtures[f'seg_{size}'], fixtures[f'edge_{size}']
    assert seg.shape == want_seg.shape and edge.shape == want_edge.shape
    errs = dict(seg=rel_err(seg, want_seg), edge=rel_err(edge, want_edge))
    print(f'GSCNN oracle {size}: max rel diff seg {errs["seg"]:.3e}, '
          f'edge {errs["edge"]:.3e}')
    assert max(errs.values()) <= TOL, errs


@pytest.mark.parametrize('size', SIZES)
def test_gradient_step_matches_the_authors(converted_model, size):
    model, fixtures = converted_model
    x = fixtures[f'x_{size}']
    ours = model.decode_head.image_gradients(x)  # 0/1
    theirs = fixtures[f'canny_{size}']  # 0/255
    assert ours.shape == theirs.shape
    assert torch.equal(ours * 255, theirs)
    # not a trivial map: their wrap-around cast makes many edges
    assert 0.01 < float(ours.mean()) < 0.9
