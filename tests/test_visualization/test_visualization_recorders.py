"""mmseg_gated.visualization recorders on tiny models: each records what
the hooked module computes (compared with the module's own forward run
directly), and leaves no hook and no change behind."""
import cv2
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from helpers import build_cpu_model, gscnn_cfg, hmsa_dlv3p_cfg

import mmseg_gated  # noqa: F401
from mmseg_gated.models.layers import DDSM, SpatialGate
from mmseg_gated.models.necks import GFFNeck
from mmseg_gated.visualization import (DDSMSamplingRecorder, GFFGateRecorder,
                                       GSCNNShapeStreamRecorder,
                                       GSTOGateRecorder, HookRecorder,
                                       ScaleAttentionRecorder)
from mmseg_gated.visualization.scale_attention import scale_shares


def hook_count(model):
    return sum(
        len(m._forward_hooks) + len(m._forward_pre_hooks)
        for m in model.modules())


def test_gff_gates_and_zeroing():
    torch.manual_seed(0)
    neck = GFFNeck([4, 8, 16], out_channels=8).eval()
    feats = [torch.randn(1, c, s, s) for c, s in ((4, 16), (8, 8), (16, 4))]
    with torch.no_grad():
        ref = neck(feats)
        with GFFGateRecorder(neck) as rec:
            again = neck(feats)
        assert hook_count(neck) == 0
        for level, x in enumerate(feats):
            torch.testing.assert_close(rec.gates[level][0],
                                       neck.gates[level](x))
        with GFFGateRecorder(neck, [1]) as rec_z:
            zeroed = neck(feats)
        assert hook_count(neck) == 0
        after = neck(feats)
    assert all(torch.equal(a, b) for a, b in zip(ref, again))
    assert all(torch.equal(a, b) for a, b in zip(ref, after))
    assert float(rec_z.gates[1][0].abs().max()) == 0
    torch.testing.assert_close(rec_z.gates[0][0], rec.gates[0][0])
    # Eq. 5 at level 1 with G_1 = 0: X~_1 = X_1 + sum_{i != 1} resize(G_i X_i)
    red = [neck.reduce_convs[i](x) for i, x in enumerate(feats)]
    g = rec.gates
    with torch.no_grad():
        want = red[1] + sum(
            F.interpolate(g[i][0] * red[i], size=(8, 8), mode='bilinear')
            for i in (0, 2))
    torch.testing.assert_close(zeroed[1], want, rtol=1e-5, atol=1e-5)
    assert not torch.allclose(zeroed[1], ref[1])
    with pytest.raises(ValueError, match='level 3: the GFFNeck has 3'):
        GFFGateRecorder(neck, [3])
    with pytest.raises(ValueError, match='has no gates'):
        GFFGateRecorder(GFFNeck([4, 8], fusion='fpn'))
    with pytest.raises(ValueError, match='no GFFNeck'):
        GFFGateRecorder(nn.Conv2d(1, 1, 1))


class TinyGSTO(nn.Module):
    """The module paths of GSTO gates: stage{S}.{M}.gate_layers.{i}.{j},
    transition_gate{K}; and an unused gate."""

    def __init__(self):
        super().__init__()
        module = nn.Module()
        module.gate_layers = nn.ModuleList(
            [nn.ModuleList([SpatialGate(4), SpatialGate(4)])])
        self.stage2 = nn.ModuleList([module])
        self.transition_gate1 = SpatialGate(4)
        self.unused = SpatialGate(4)

    def forward(self, x):
        gates = self.stage2[0].gate_layers[0]
        return gates[0](x) + gates[1](2 * x) + self.transition_gate1(-x)


def test_gsto_gates():
    torch.manual_seed(0)
    model = TinyGSTO().eval()
    x = torch.randn(1, 4, 5, 6)
    with torch.no_grad():
        ref = model(x)
        with GSTOGateRecorder(model) as rec:
            out = model(x)
        after = model(x)
    assert list(rec.gates) == [
        'stage2_m0_b0_to_b0', 'stage2_m0_b1_to_b0', 'transition1', 'unused'
    ]
    assert set(rec.maps) == set(list(rec.gates)[:3])  # 'unused' did not run
    gates = model.stage2[0].gate_layers[0]
    with torch.no_grad():
        torch.testing.assert_close(rec.maps['stage2_m0_b1_to_b0'],
                                   gates[1](2 * x))
        torch.testing.assert_close(rec.maps['transition1'],
                                   model.transition_gate1(-x))
    assert torch.equal(ref, out) and torch.equal(ref, after)
    assert hook_count(model) == 0
    with pytest.raises(ValueError, match='no gates'):
        GSTOGateRecorder(nn.Sequential(nn.Conv2d(3, 3, 1)))


@pytest.fixture(scope='module')
def gscnn_model():
    torch.manual_seed(0)
    return build_cpu_model(gscnn_cfg()).eval()


def scene():
    """Flat rectangles: Canny finds their borders."""
    img = torch.zeros(1, 3, 40, 40)
    img[:, :, 8:30, 5:25] = 200.
    img[:, 1, 20:36, 18:38] = 120.
    return img


def test_gscnn_shape_stream(gscnn_model):
    model = gscnn_model
    head = model.decode_head
    img = scene()
    x = model.extract_feat(img)
    with torch.no_grad():
        ref_seg, ref_edge = head(x, img)
        with GSCNNShapeStreamRecorder(model) as rec:
            seg, edge = head(x, img)
        assert hook_count(model) == 0
        # the shape stream by hand from the head's own modules
        s = F.interpolate(
            head.shape_in(x[head.shape_in_index]),
            size=(40, 40),
            mode='bilinear')
        for t, (block, reduce, gcl, side, idx) in enumerate(
                zip(head.shape_blocks, head.shape_reduces, head.gcls,
                    head.side_outputs, head.gate_in_index), 1):
            s = reduce(block(s))
            r = F.interpolate(side(x[idx]), size=(40, 40), mode='bilinear')
            np.testing.assert_allclose(
                rec.maps[f'gcl{t}'],
                gcl.forward_gate(s, r)[0, 0].numpy(),
                rtol=1e-5,
                atol=1e-6)
            s = gcl(s, r)
        logits, acts = head.forward_shape(x, img)
    assert list(
        rec.maps) == ['gcl1', 'gcl2', 'gcl3', 'edge', 'gradients', 'fused']
    np.testing.assert_allclose(
        rec.maps['edge'], torch.sigmoid(logits)[0, 0].numpy(), atol=1e-6)
    np.testing.assert_allclose(
        rec.maps['fused'], acts[0, 0].numpy(), atol=1e-6)
    canny = cv2.Canny(img[0].permute(1, 2, 0).numpy().astype(np.uint8), 10,
                      100) > 0
    assert canny.sum() > 50
    np.testing.assert_array_equal(rec.maps['gradients'] > 0.5, canny)
    assert torch.equal(seg, ref_seg) and torch.equal(edge, ref_edge)
    with pytest.raises(ValueError, match='not a Gated-SCNN head'):
        GSCNNShapeStreamRecorder(nn.Conv2d(3, 3, 1))


def test_gscnn_without_gradients(gscnn_model):
    head = gscnn_model.decode_head
    fuse, head.gradient_fuse, head.use_gradients = head.gradient_fuse, None, \
        False
    try:
        rec = GSCNNShapeStreamRecorder(head)
        with rec, torch.no_grad():
            gscnn_model._forward(scene())
    finally:
        head.gradient_fuse, head.use_gradients = fuse, True
    assert not rec.has_gradients and sorted(
        rec.maps) == ['edge', 'gcl1', 'gcl2', 'gcl3']


def test_gscnn_authors_layout():
    """GSCNNOfficialHead: its gates end in a sigmoid as well."""
    torch.manual_seed(0)
    model = build_cpu_model(gscnn_cfg(type='GSCNNOfficialHead')).eval()
    with torch.no_grad(), GSCNNShapeStreamRecorder(model) as rec:
        _, edge = model._forward(scene())
    assert sorted(
        rec.maps) == ['edge', 'fused', 'gcl1', 'gcl2', 'gcl3', 'gradients']
    for t in (1, 2, 3):
        m = rec.maps[f'gcl{t}']
        assert m.shape == (40, 40) and 0 <= m.min() and m.max() <= 1
    np.testing.assert_allclose(
        rec.maps['edge'], torch.sigmoid(edge)[0, 0].numpy(), atol=1e-6)


@pytest.mark.parametrize('kind', ['hierarchical', 'explicit'])
def test_scale_attention(kind):
    torch.manual_seed(0)
    model = build_cpu_model(hmsa_dlv3p_cfg(kind)).eval()
    x = torch.randn(1, 3, 32, 32)
    meta = [dict(img_shape=(32, 32))]
    with torch.no_grad():
        ref = model.encode_decode(x, meta)
        with ScaleAttentionRecorder(model) as rec:
            out = model.encode_decode(x, meta)
        direct = model.multi_scale(x, model.test_scales, False)['per_scale']
    assert hook_count(model) == 0 and torch.equal(ref, out)
    assert len(rec.logits) == len(model.test_scales) == 3
    for got, want in zip(rec.logits, direct):
        torch.testing.assert_close(got, want['decode'][-1])
    if kind == 'hierarchical':
        for got, want in zip(rec.attn, direct):
            torch.testing.assert_close(got, want['attn'])
    else:  # one softmax over the scales, predicted from the features
        fusion = model.scale_fusion
        assert tuple(fusion.scales) == tuple(model.test_scales)
        with torch.no_grad():
            want = fusion.attention_weights(model.test_scales,
                                            [d['attn'] for d in direct])
        assert len(rec.attn) == 1 and rec.attn[0].shape[1] == 3
        torch.testing.assert_close(rec.attn[0], want)
    with pytest.raises(ValueError, match='not a multi-scale attention'):
        ScaleAttentionRecorder(nn.Conv2d(1, 1, 1))


def test_scale_shares_by_hand():
    """Two scales, constant attention a of the 0.5 scale: the joint is
    a * up(p_0.5) + (1 - a) * p_1, so the shares are a and 1 - a. Explicit:
    the softmax channel of each scale, in the fusion's scale order."""
    from types import SimpleNamespace

    from mmseg_gated.models.layers import (ExplicitScaleFusion,
                                           HierarchicalScaleFusion)
    model = SimpleNamespace(
        align_corners=False, scale_fusion=HierarchicalScaleFusion())
    attn = [torch.full((1, 1, 2, 2), 0.3), torch.full((1, 1, 4, 4), 0.9)]
    shares = scale_shares(model, (0.5, 1.0), attn, (6, 5))
    assert [float(s.mean()) for s in shares] == pytest.approx([0.3, 0.7])
    fusion = ExplicitScaleFusion(4, (0.5, 1.0, 2.0), channels=4)
    model = SimpleNamespace(align_corners=False, scale_fusion=fusion)
    attn = torch.tensor([0.2, 0.3, 0.5]).view(1, 3, 1, 1).expand(1, 3, 4, 4)
    shares = scale_shares(model, (2.0, 0.5, 1.0), [attn], (6, 5))
    assert [float(s.mean()) for s in shares] == pytest.approx([0.5, 0.2, 0.3])
    assert all(s.shape == (6, 5) for s in shares)


def test_ddsm_sampling():
    torch.manual_seed(0)
    model = nn.Module()
    model.fuse = DDSM(low_channels=12, high_channels=20, channels=16).eval()
    fuse = model.fuse
    for sampler in (fuse.spatial_branch.sampler, fuse.channel_branch.sampler):
        nn.init.normal_(sampler.conv_offset.weight, std=0.3)
        nn.init.normal_(sampler.conv_mask.weight, std=0.3)
    x_l, x_h = torch.randn(1, 12, 9, 7), torch.randn(1, 20, 5, 4)
    guides = {}

    def keep(branch):
        return lambda module, args: guides.__setitem__(branch, args[0])

    test_hooks = [
        fuse.spatial_branch.sampler.conv_offset.register_forward_pre_hook(
            keep('spatial')),
        fuse.channel_branch.sampler.conv_offset.register_forward_pre_hook(
            keep('channel'))
    ]
    with torch.no_grad():
        ref = model.fuse(x_l, x_h)
        with DDSMSamplingRecorder(model) as rec:
            out = model.fuse(x_l, x_h)
    for h in test_hooks:
        h.remove()
    assert hook_count(model) == 0 and torch.equal(ref, out)
    assert list(rec.samplers) == ['fuse'] and rec.input_shape is None
    for branch in ('spatial', 'channel'):
        sampler = rec.samplers['fuse'][branch]
        with torch.no_grad():
            offset, mask = sampler.offset_and_mask(guides[branch])
        got = rec.store[('fuse', branch)]
        torch.testing.assert_close(got['offset'], offset)
        torch.testing.assert_close(got['mask'], mask)
        assert float(offset.abs().max()) > 0.1
    assert rec.store[('fuse', 'spatial')]['offset'].shape == (1, 18, 9, 7)
    with pytest.raises(ValueError, match='no DDSM'):
        DDSMSamplingRecorder(nn.Sequential(nn.Conv2d(3, 3, 1)))


def test_recorder_context_is_exception_safe():
    neck = GFFNeck([4, 8], out_channels=4)
    rec = GFFGateRecorder(neck)
    with pytest.raises(RuntimeError, match='boom'):
        with rec:
            assert hook_count(neck) == 2
            raise RuntimeError('boom')
    assert hook_count(neck) == 0
    with rec:
        with pytest.raises(RuntimeError, match='already recording'):
            rec.__enter__()
    assert hook_count(neck) == 0
    with pytest.raises(NotImplementedError):
        HookRecorder().hooks()
