"""Hierarchical multi-scale attention: segmentors, heads, fusion layers."""
import pytest
import torch
import torch.nn.functional as F
from helpers import build_cpu_model, hmsa_dlv3p_cfg, hmsa_ocr_cfg, make_batch
from mmengine.config import ConfigDict

import mmseg_gated  # noqa: F401
from mmseg_gated.models.layers import (ExplicitScaleFusion,
                                       HierarchicalScaleFusion,
                                       ScaleAttentionHead)

NORM = dict(type='BN', requires_grad=True)


def up(x, size):
    return F.interpolate(x, size=size, mode='bilinear', align_corners=False)


def _outputs(scales, c=3, base=8, seed=0):
    """Known logits and attention per scale (size ``base * s``)."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for s in scales:
        n = int(round(base * s))
        out[s] = (torch.randn(1, c, n, n, generator=g),
                  torch.rand(1, 1, n, n, generator=g))
    return out


# --------------------------------------------------------------- layers
def test_scale_attention_head_shapes_and_errors():
    head = ScaleAttentionHead(6, channels=4)
    a = head(torch.randn(2, 6, 5, 7))
    assert a.shape == (2, 1, 5, 7)
    assert bool(((a > 0) & (a < 1)).all())
    assert head.gate.conv.conv.bias is None  # no bias, as the authors
    exp = ScaleAttentionHead(6, channels=4, num_scales=3).eval()
    a3 = exp(torch.randn(2, 18, 5, 7))
    assert a3.shape == (2, 3, 5, 7)
    torch.testing.assert_close(a3.sum(1), torch.ones(2, 5, 7))
    with pytest.raises(ValueError, match='3 scale'):
        exp(torch.randn(2, 6, 5, 7))
    with pytest.raises(ValueError, match='num_scales'):
        ScaleAttentionHead(6, num_scales=0)


def test_hierarchical_fusion_two_scales_is_the_papers_joint():
    """``up(a_0.5 * p_0.5) + (1 - up(a_0.5)) * p_1.0`` (Sec. 3.1)."""
    outs = _outputs((0.5, 1.0))
    (p05, a05), (p1, a1) = outs[0.5], outs[1.0]
    got, = HierarchicalScaleFusion()((0.5, 1.0), [[p05, p1]], [a05, a1])
    want = up(a05 * p05, (8, 8)) + (1 - up(a05, (8, 8))) * p1
    torch.testing.assert_close(got, want)
    # multiplying before upsampling differs from upsampling first
    other = up(a05, (8, 8)) * up(p05, (8, 8)) + (1 - up(a05, (8, 8))) * p1
    assert not torch.allclose(got, other)


@pytest.mark.parametrize('scales', [(0.5, 1.0, 2.0), (2.0, 0.25, 1.0, 0.5)])
def test_hierarchical_fusion_chain_matches_direct(scales):
    fusion = HierarchicalScaleFusion()
    outs = _outputs(scales, seed=1)
    preds = [outs[s][0] for s in scales]
    attns = [outs[s][1] for s in scales]
    got, twice = fusion(scales, [preds, [2 * p for p in preds]], attns)
    # direct, from the highest scale down
    p2 = outs[2.0][0]
    p1, a1 = outs[1.0]
    want = a1 * p1 + (1 - a1) * up(p2, (8, 8))
    for s in (0.5, 0.25):
        if s in scales:
            p, a = outs[s]
            want = up(a * p, (8, 8)) + (1 - up(a, (8, 8))) * want
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(twice, 2 * want)  # same attention per stream
    # the effective weight of each scale (its prediction set to 1, the
    # others to 0) sums to 1 over the scales (the paper's Fig. 5)
    ones = [torch.ones_like(p[:, :1]) for p in preds]
    weights = [
        fusion(scales, [[o if j == i else 0 * o
                         for j, o in enumerate(ones)]], attns)[0]
        for i in range(len(scales))
    ]
    torch.testing.assert_close(sum(weights), torch.ones(1, 1, 8, 8))
    # attention 1 at 1.0 and 0 below: only p_1.0 survives
    attns = [
        torch.ones_like(a) if s == 1.0 else torch.zeros_like(a)
        for s, a in zip(scales, attns)
    ]
    torch.testing.assert_close(fusion(scales, [preds], attns)[0], p1)


def test_explicit_fusion_softmax_over_the_fixed_scales():
    torch.manual_seed(0)
    scales = (0.5, 1.0, 2.0)
    fusion = ExplicitScaleFusion(4, scales, channels=4).eval()
    feats = [torch.randn(1, 4, n, n) for n in (4, 8, 16)]
    preds = [torch.randn(1, 3, n, n) for n in (4, 8, 16)]
    with torch.no_grad():
        attn = fusion.attention_weights(scales, feats)
        want = fusion.attention(
            torch.cat([up(f, (8, 8)) for f in feats], dim=1))
        torch.testing.assert_close(attn, want)
        torch.testing.assert_close(attn.sum(1), torch.ones(1, 8, 8))
        # another order of the scales: the channels follow it
        order = (2, 0, 1)
        attn2 = fusion.attention_weights([scales[i] for i in order],
                                         [feats[i] for i in order])
        torch.testing.assert_close(attn2, attn[:, list(order)])
        got, = fusion(scales, [preds], feats)
    direct = sum(attn[:, i:i + 1] * up(p, (8, 8)) for i, p in enumerate(preds))
    torch.testing.assert_close(got, direct)
    with pytest.raises(ValueError, match='learned the scales'):
        fusion.attention_weights((1.0, 2.0), feats[1:])
    with pytest.raises(ValueError, match='including 1.0'):
        ExplicitScaleFusion(4, (0.5, 2.0))


# ------------------------------------------------------------ segmentor
def test_segmentor_combines_every_output_with_the_fusion():
    model = build_cpu_model(hmsa_dlv3p_cfg())
    outs = _outputs((0.5, 1.0, 2.0))

    def fake(img, with_aux):  # each scale returns known outputs
        seg, attn = outs[img.shape[-1] / 8.0]
        return dict(decode=[seg], attn=attn, aux=[seg * 2] if with_aux else [])

    model._forward_scale = fake
    model.train()
    got = model._forward(torch.zeros(1, 3, 8, 8))
    (p05, a05), (p1, _) = outs[0.5], outs[1.0]
    want = up(a05 * p05, (8, 8)) + (1 - up(a05, (8, 8))) * p1
    torch.testing.assert_close(got, want)
    res = model.multi_scale(torch.zeros(1, 3, 8, 8), (0.5, 1.0), True)
    torch.testing.assert_close(res['aux'][0], 2 * want)
    model.eval()
    fusion = HierarchicalScaleFusion()
    scales = (0.5, 1.0, 2.0)
    torch.testing.assert_close(
        model.encode_decode(torch.zeros(1, 3, 8, 8), [dict()]),
        fusion(scales, [[outs[s][0] for s in scales]],
               [outs[s][1] for s in scales])[0])


def test_rescale_floors_as_the_authors():
    """Scale s sees floor(s * H) x floor(s * W), the size of torch's
    ``interpolate(scale_factor=s, recompute_scale_factor=True)`` that the
    authors use (rounding would give 8 x 13 here)."""
    model = build_cpu_model(hmsa_dlv3p_cfg())
    img = torch.randn(1, 3, 15, 25)
    for s in (0.5, 0.25, 1.5):
        want = F.interpolate(
            img,
            scale_factor=s,
            mode='bilinear',
            align_corners=False,
            recompute_scale_factor=True)
        got = model.rescale(img, s)
        assert got.shape == want.shape
        torch.testing.assert_close(got, want)


def test_scale_errors():
    with pytest.raises(ValueError, match='1.0'):
        build_cpu_model(hmsa_dlv3p_cfg(test_scales=(0.5, 2.0)))
    with pytest.raises(ValueError, match='1.0'):
        build_cpu_model(hmsa_dlv3p_cfg(train_scales=(0.5, 0.75)))
    with pytest.raises(ValueError, match='duplicates'):
        build_cpu_model(hmsa_dlv3p_cfg(train_scales=(0.5, 1.0, 1.0)))
    with pytest.raises(TypeError, match='scale_fusion'):
        build_cpu_model(hmsa_dlv3p_cfg(scale_fusion='hierarchical'))
    cfg = hmsa_dlv3p_cfg()
    cfg['decode_head']['scale_attn']['num_scales'] = 3
    with pytest.raises(ValueError, match='num_scales must be 1'):
        build_cpu_model(cfg)
    with pytest.raises(ValueError, match='fixed scale set'):
        build_cpu_model(hmsa_dlv3p_cfg('explicit', test_scales=(1.0, 2.0)))
    cfg = hmsa_dlv3p_cfg('explicit')
    cfg['decode_head']['scale_attn'] = dict(channels=8)
    with pytest.raises(ValueError, match='scale_attn=None'):
        build_cpu_model(cfg)
    cfg = hmsa_dlv3p_cfg('plain', type='HMSAEncoderDecoder')
    with pytest.raises(TypeError, match='forward_with_attention'):
        build_cpu_model(cfg)


# ------------------------------------------------------------- training
def _train_step(cfg, size=(32, 32)):
    model = build_cpu_model(cfg)
    model.train()
    data = model.data_preprocessor(make_batch(3, batch=2, size=size), True)
    losses = model(**data, mode='loss')
    loss, log_vars = model.parse_losses(losses)
    assert torch.isfinite(loss)
    loss.backward()
    return model, losses


def test_hierarchical_training_losses_and_gradients():
    model, losses = _train_step(hmsa_dlv3p_cfg())
    assert {
        'decode.loss_ce', 'aux.loss_ce', 'scale0.5.loss_ce', 'scale1.loss_ce'
    } <= set(losses)
    attn_params = list(model.decode_head.scale_attn.parameters())
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in attn_params)


def test_scale_loss_weight_and_joint_supervision():
    torch.manual_seed(0)
    model = build_cpu_model(hmsa_dlv3p_cfg(scale_loss_weight=0.05)).eval()
    data = model.data_preprocessor(make_batch(3, batch=2, size=(32, 32)), True)
    inputs, samples = data['inputs'], data['data_samples']
    losses = model.loss(inputs, samples)
    p1 = model._forward_scale(inputs, False)['decode'][-1]
    raw = model.decode_head.loss_by_feat(p1, samples)
    torch.testing.assert_close(losses['scale1.loss_ce'], 0.05 * raw['loss_ce'])
    # main and aux losses are on the attention-combined (joint) outputs
    res = model.multi_scale(inputs, (0.5, 1.0), True)
    torch.testing.assert_close(
        losses['decode.loss_ce'],
        model.decode_head.loss_by_feat(res['decode'][0], samples)['loss_ce'])
    torch.testing.assert_close(
        losses['aux.loss_ce'],
        model.auxiliary_head.loss_by_feat(res['aux'][0], samples)['loss_ce'])


def test_explicit_train_and_predict():
    model, losses = _train_step(hmsa_dlv3p_cfg('explicit'))
    assert {
        'decode.loss_ce', 'aux.loss_ce', 'scale0.5.loss_ce', 'scale1.loss_ce',
        'scale2.loss_ce'
    } <= set(losses)
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.scale_fusion.parameters())
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(
            make_batch(3, batch=1, size=(30, 34)), False)
        out = model(**data, mode='predict')
    assert out[0].pred_sem_seg.shape == (30, 34)


# mmseg's SegTTAModel wraps its 2-D prediction in PixelData (upstream)
@pytest.mark.filterwarnings('ignore:The shape of value will convert')
def test_ocr_cascade_train_slide_and_tta():
    model, losses = _train_step(hmsa_ocr_cfg())
    assert {
        'decode_1.loss_rmi', 'decode_0.loss_ce', 'scale0.5.loss_rmi',
        'scale1.loss_rmi'
    } <= set(losses)
    for p in model.decode_head[1].scale_attn.parameters():
        assert p.grad is not None
    model.eval()
    data = model.data_preprocessor(
        make_batch(3, batch=1, size=(40, 48)), False)
    with torch.no_grad():
        whole = model(**data, mode='predict')[0].seg_logits.data
        model.test_cfg = ConfigDict(
            mode='slide', crop_size=(32, 32), stride=(16, 16))
        slide = model(**data, mode='predict')[0].seg_logits.data
    assert whole.shape == slide.shape == (3, 40, 48)
    assert torch.isfinite(slide).all()

    # mmseg's SegTTAModel with horizontal flips
    from mmseg.models import SegTTAModel
    model.test_cfg = ConfigDict(mode='whole')
    tta = SegTTAModel(module=model)
    batch = make_batch(3, batch=1, size=(32, 32))
    flipped = make_batch(3, batch=1, size=(32, 32))
    flipped['inputs'] = [batch['inputs'][0].flip(-1)]
    flipped['data_samples'][0].set_metainfo(
        dict(flip=True, flip_direction='horizontal'))
    with torch.no_grad():
        res = tta.test_step(
            dict(
                inputs=[batch['inputs'], flipped['inputs']],
                data_samples=[batch['data_samples'], flipped['data_samples']]))
    assert res[0].pred_sem_seg.shape == (32, 32)


@pytest.mark.parametrize(
    'make_cfg', [hmsa_dlv3p_cfg, hmsa_ocr_cfg],
    ids=['EncoderDecoder', 'CascadeEncoderDecoder'])
def test_one_scale_is_mmseg_segmentor(make_cfg):
    """At scale 1.0 alone the segmentor is mmseg's: same losses under the
    same names (decode/decode_i/aux), same logits, same module names (the
    mmseg model loads our weights; only ``scale_attn`` is extra)."""
    torch.manual_seed(0)
    ours = build_cpu_model(
        make_cfg(train_scales=(1.0, ), test_scales=(1.0, ))).eval()
    plain = build_cpu_model(make_cfg('plain')).eval()
    res = plain.load_state_dict(ours.state_dict(), strict=False)
    assert res.missing_keys == []
    assert res.unexpected_keys and all('.scale_attn.' in k
                                       for k in res.unexpected_keys)
    data = ours.data_preprocessor(make_batch(3, batch=2, size=(36, 28)), True)
    with torch.no_grad():
        got = ours.loss(data['inputs'], data['data_samples'])
        want = plain.loss(data['inputs'], data['data_samples'])
        assert set(got) == set(want)
        for k in want:
            torch.testing.assert_close(got[k], want[k], msg=k)
        data = ours.data_preprocessor(
            make_batch(3, batch=1, size=(36, 28)), False)
        metas = [s.metainfo for s in data['data_samples']]
        logits = ours.encode_decode(data['inputs'], metas)
        assert logits.shape == (1, 3, 36, 28)
        torch.testing.assert_close(logits,
                                   plain.encode_decode(data['inputs'], metas))


def test_ocr_dropout_as_the_authors():
    """HMSAOCRHead's Dropout2d after the OCR block (the authors' 0.05 by
    default): whole channels of the features that feed both the classifier
    and the attention are zeroed in training, none in eval; forward and
    forward_with_attention share it; 0 builds none."""
    from mmseg.registry import MODELS
    head_cfg = hmsa_ocr_cfg()['decode_head'][1]
    head = MODELS.build(head_cfg)
    assert isinstance(head.ocr_dropout, torch.nn.Dropout2d)
    assert head.ocr_dropout.p == 0.05
    assert MODELS.build(dict(head_cfg, ocr_dropout_ratio=0)).ocr_dropout \
        is None
    with pytest.raises(ValueError, match='ocr_dropout_ratio'):
        MODELS.build(dict(head_cfg, ocr_dropout_ratio=1.0))

    head = MODELS.build(dict(head_cfg, ocr_dropout_ratio=0.5))
    torch.manual_seed(0)
    feats = [torch.randn(2, c, 8, 8) for c in (4, 8, 16, 32)]
    prev = torch.randn(2, 3, 8, 8)
    seen = {}
    head.conv_seg.register_forward_hook(
        lambda m, args, out: seen.__setitem__('cls', args[0]))
    head.scale_attn.register_forward_hook(
        lambda m, args, out: seen.__setitem__('attn', args[0]))
    head.eval()
    with torch.no_grad():
        clean = head.object_context(feats, prev)
        logits, _ = head.forward_with_attention(feats, prev)
        torch.testing.assert_close(logits, head.forward(feats, prev))
    assert torch.equal(seen['cls'], clean) and torch.equal(seen['attn'], clean)
    head.train()
    with torch.no_grad():
        torch.manual_seed(1)
        head.forward_with_attention(feats, prev)
    assert seen['cls'] is seen['attn']  # one dropout for both
    kept = seen['cls'].abs().sum((2, 3)) > 0
    assert 0 < int(kept.sum()) < kept.numel()  # whole channels dropped
