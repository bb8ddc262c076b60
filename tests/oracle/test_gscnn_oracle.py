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
import os
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import (REPO_ROOT, authors_weights, float64_model, load_module,
                     reference_dir)
from mmengine.registry import init_default_scope

import mmseg_gated  # noqa: F401

CONVERTER = osp.join(REPO_ROOT, 'tools', 'model_converters',
                     'gscnn_official.py')
SIZES = ('96x128', '97x129')
TOL = 1e-6
# their layout resizes with align_corners=True between sizes that are not
# n*k+1 apart; mmseg's resize says so at every call
pytestmark = pytest.mark.filterwarnings(
    'ignore:When align_corners=True:UserWarning')


def authors_checkpoint(path, seed=0):
    """The file the authors' training writes; returns its number of keys."""
    state_dict = authors_weights('gscnn', seed)
    assert all(k.startswith('module.') for k in state_dict)
    torch.save(dict(state_dict=state_dict), path)
    return len(state_dict)


def rel_err(got, want):
    return ((got - want).abs().max() / want.abs().max()).item()


@pytest.fixture(scope='module')
def converted_model(tmp_path_factory):
    """Authors' checkpoint file -> converter -> strict load (float64)."""
    root = reference_dir('gscnn')
    init_default_scope('mmseg')
    src = str(tmp_path_factory.mktemp('gscnn_oracle') / 'authors.pth')
    num_keys = authors_checkpoint(src)
    converter = load_module('gscnn_official', CONVERTER)
    authors = torch.load(src, map_location='cpu', weights_only=True, mmap=True)
    converted = converter.convert(authors)
    # their head weights, for the independent re-computation below
    head = {
        k[len('module.'):]: v.clone()
        for k, v in authors['state_dict'].items()
        if not k.startswith('module.mod')
    }
    del authors
    # the config the converter names
    model = float64_model(converter.CONFIG).eval()
    model.load_state_dict(converted, strict=True)
    # every tensor of theirs arrived but the unused dsn1 (2 keys); their
    # classifier has no bias (+1)
    assert len(converted) == num_keys - 2 + 1
    del converted
    os.remove(src)
    with np.load(osp.join(root, 'gscnn', 'fixtures.npz')) as data:
        fixtures = {k: torch.from_numpy(data[k]) for k in data.files}
    return model, fixtures, head


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
    model, fixtures, _ = converted_model
    seg, edge = run(model, fixtures[f'x_{size}'])
    want_seg, want_edge = fixtures[f'seg_{size}'], fixtures[f'edge_{size}']
    assert seg.shape == want_seg.shape and edge.shape == want_edge.shape
    errs = dict(seg=rel_err(seg, want_seg), edge=rel_err(edge, want_edge))
    print(f'GSCNN oracle {size}: max rel diff seg {errs["seg"]:.3e}, '
          f'edge {errs["edge"]:.3e}')
    assert max(errs.values()) <= TOL, errs


@pytest.mark.parametrize('size', SIZES)
def test_gradient_step_matches_the_authors(converted_model, size):
    model, fixtures, _ = converted_model
    x = fixtures[f'x_{size}']
    ours = model.decode_head.image_gradients(x)  # 0/1
    theirs = fixtures[f'canny_{size}']  # 0/255
    assert ours.shape == theirs.shape
    assert torch.equal(ours * 255, theirs)
    # not a trivial map: their wrap-around cast makes many edges
    assert 0.01 < float(ours.mean()) < 0.9


def authors_head(sd, feats, canny, size):
    """The authors' ``GSCNN.forward`` after the trunk, re-computed with
    functional ops from their own state dict (their key names, their
    concatenation order ``[fine, aspp]``, their 0/255 Canny map, their gate
    ``x * (alpha + 1)``), independent of our head and converter."""
    m1, m2, m3, m4, m7 = feats

    def up(t, to):
        return F.interpolate(t, to, mode='bilinear', align_corners=True)

    def conv(t, name, **kw):
        return F.conv2d(t, sd[name + '.weight'], sd.get(name + '.bias'), **kw)

    def bn(t, name):
        return F.batch_norm(t, sd[name + '.running_mean'],
                            sd[name + '.running_var'], sd[name + '.weight'],
                            sd[name + '.bias'], False, 0., 1e-5)

    def basic_block(t, name):
        y = F.relu(bn(conv(t, name + '.conv1', padding=1), name + '.bn1'))
        return F.relu(
            bn(conv(y, name + '.conv2', padding=1), name + '.bn2') + t)

    def gate(t, g, name):
        a = bn(torch.cat([t, g], 1), name + '._gate_conv.0')
        a = F.relu(conv(a, name + '._gate_conv.1'))
        a = torch.sigmoid(
            bn(conv(a, name + '._gate_conv.3'), name + '._gate_conv.4'))
        return F.conv2d(t * (a + 1), sd[name + '.weight'])

    cs = up(m1, size)
    for i, (dsn, feat) in enumerate((('dsn3', m3), ('dsn4', m4), ('dsn7', m7)),
                                    1):
        cs = conv(up(basic_block(cs, f'res{i}'), size), f'd{i}')
        cs = gate(cs, up(conv(feat, dsn), size), f'gate{i}')
    edge = torch.sigmoid(up(conv(cs, 'fuse'), size))
    acts = torch.sigmoid(conv(torch.cat([edge, canny], 1), 'cw'))

    low = m7.shape[2:]
    pooled = m7.mean((2, 3), keepdim=True)
    branches = [
        up(
            F.relu(bn(conv(pooled, 'aspp.img_conv.0'), 'aspp.img_conv.1')),
            low),
        F.relu(
            bn(conv(up(acts, low), 'aspp.edge_conv.0'), 'aspp.edge_conv.1'))
    ]
    for k, rate in enumerate((0, 12, 24, 36)):  # 1x1, then 3x3 atrous
        kw = dict(padding=rate, dilation=rate) if rate else dict()
        y = conv(m7, f'aspp.features.{k}.0', **kw)
        branches.append(F.relu(bn(y, f'aspp.features.{k}.1')))
    aspp = up(conv(torch.cat(branches, 1), 'bot_aspp'), m2.shape[2:])
    dec = torch.cat([conv(m2, 'bot_fine'), aspp], 1)
    dec = F.relu(bn(conv(dec, 'final_seg.0', padding=1), 'final_seg.1'))
    dec = F.relu(bn(conv(dec, 'final_seg.3', padding=1), 'final_seg.4'))
    seg = F.interpolate(
        conv(dec, 'final_seg.6'), size, mode='bilinear', align_corners=False)
    return seg, edge


def test_any_size_against_an_independent_recomputation(converted_model):
    """Sizes beyond the fixture's: a functional re-computation of the
    authors' head from their state dict, itself checked against their
    outputs, agrees with our converted model at other odd sizes."""
    model, fixtures, sd = converted_model
    x = fixtures['x_97x129']
    with torch.no_grad():
        seg, edge = authors_head(sd, model.extract_feat(x),
                                 fixtures['canny_97x129'], x.shape[2:])
    assert rel_err(seg, fixtures['seg_97x129']) <= TOL
    assert rel_err(edge, fixtures['edge_97x129']) <= TOL
    gen = torch.Generator().manual_seed(1)
    for h, w in ((61, 83), ):
        x = torch.randn(1, 3, h, w, generator=gen, dtype=torch.float64)
        canny = model.decode_head.image_gradients(x) * 255  # as theirs
        with torch.no_grad():
            want_seg, want_edge = authors_head(sd, model.extract_feat(x),
                                               canny, (h, w))
        got_seg, got_edge = run(model, x)
        errs = (rel_err(got_seg, want_seg), rel_err(got_edge, want_edge))
        print(f'GSCNN {h}x{w} vs re-computation: seg {errs[0]:.3e}, '
              f'edge {errs[1]:.3e}')
        assert max(errs) <= TOL, errs
