"""Hierarchical multi-scale attention: segmentor, heads, attention layer."""
import copy

import pytest
import torch
import torch.nn.functional as F

import mmseg_gated  # noqa: F401
from helpers import build_cpu_model as _build_cpu_model
from helpers import make_batch
from mmengine.config import ConfigDict
from mmseg_gated.models.layers import ScaleAttentionHead

NORM = dict(type='BN', requires_grad=True)


def build_cpu_model(cfg):
    return _build_cpu_model(ConfigDict(copy.deepcopy(cfg)))

PREPROC = dict(
    type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_val=0,
    seg_pad_val=255, size=(32, 32))
BACKBONE = dict(
    type='ResNetV1c', depth=18, base_channels=8, stem_channels=8,
    num_stages=4, out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4),
    strides=(1, 2, 1, 1), norm_cfg=NORM, norm_eval=False, style='pytorch',
    contract_dilation=True)


def up(x, size):
    return F.interpolate(x, size=size, mode='bilinear', align_corners=False)


def dlv3p_cfg(mode='hierarchical', **kwargs):
    attn = mode in ('hierarchical', 'explicit')
    head = dict(
        type='MscaleSepASPPHead' if attn else 'DepthwiseSeparableASPPHead',
        in_channels=64, in_index=3, channels=16, dilations=(1, 2),
        c1_in_channels=8, c1_channels=4, dropout_ratio=0., num_classes=3,
        norm_cfg=NORM, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True))
    if attn:
        head['scale_attn'] = dict(
            channels=8, num_scales=3 if mode == 'explicit' else 1)
    cfg = dict(
        type='MultiScaleAttentionEncoderDecoder', mode=mode,
        data_preprocessor=PREPROC, backbone=BACKBONE, decode_head=head,
        auxiliary_head=dict(
            type='FCNHead', in_channels=32, in_index=2, channels=8,
            num_convs=1, concat_input=False, dropout_ratio=0., num_classes=3,
            norm_cfg=NORM, align_corners=False,
            loss_decode=dict(type='CrossEntropyLoss', loss_weight=0.4,
                             avg_non_ignore=True)),
        train_cfg=dict(), test_cfg=dict(mode='whole'))
    cfg.update(kwargs)
    return cfg


def ocr_cfg(**kwargs):
    hr = dict(
        type='HRNet', norm_cfg=NORM, norm_eval=False,
        extra=dict(
            stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK',
                        num_blocks=(1, ), num_channels=(8, )),
            stage2=dict(num_modules=1, num_branches=2, block='BASIC',
                        num_blocks=(1, 1), num_channels=(4, 8)),
            stage3=dict(num_modules=1, num_branches=3, block='BASIC',
                        num_blocks=(1, 1, 1), num_channels=(4, 8, 16)),
            stage4=dict(num_modules=1, num_branches=4, block='BASIC',
                        num_blocks=(1, 1, 1, 1),
                        num_channels=(4, 8, 16, 32))))
    cfg = dict(
        type='MultiScaleAttentionEncoderDecoder',
        data_preprocessor=PREPROC, backbone=hr,
        decode_head=[
            dict(type='FCNHead', in_channels=[4, 8, 16, 32],
                 in_index=(0, 1, 2, 3), input_transform='resize_concat',
                 channels=60, kernel_size=1, num_convs=1, concat_input=False,
                 dropout_ratio=-1, num_classes=3, norm_cfg=NORM,
                 align_corners=False,
                 loss_decode=dict(type='CrossEntropyLoss', loss_weight=0.4,
                                  avg_non_ignore=True)),
            dict(type='MscaleOCRHead', in_channels=[4, 8, 16, 32],
                 in_index=(0, 1, 2, 3), input_transform='resize_concat',
                 channels=16, ocr_channels=8, dropout_ratio=-1,
                 num_classes=3, norm_cfg=NORM, align_corners=False,
                 scale_attn=dict(channels=8),
                 loss_decode=dict(type='RMILoss'))
        ],
        train_cfg=dict(), test_cfg=dict(mode='whole'))
    cfg.update(kwargs)
    return cfg


# ---------------------------------------------------------------- layer
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


# ------------------------------------------------- combination vs direct
def _stub(model, scale_to_out):
    """Replace the network: each scale returns known logits/attention."""

    def fake(img, with_aux):
        s = img.shape[-1] / 8.0
        seg, attn = scale_to_out[s]
        return dict(seg=seg, attn=attn, aux=[seg * 2])

    model._forward_scale = fake


def _outputs(scales, c=3, base=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    out = {}
    for s in scales:
        n = int(round(base * s))
        out[s] = (torch.randn(1, c, n, n, generator=g),
                  torch.rand(1, 1, n, n, generator=g))
    return out


def test_two_scale_training_joint_matches_formula():
    model = build_cpu_model(dlv3p_cfg())
    outs = _outputs((0.5, 1.0))
    _stub(model, outs)
    model.train()
    got = model._forward(torch.zeros(1, 3, 8, 8))
    (p05, a05), (p1, _) = outs[0.5], outs[1.0]
    want = up(a05 * p05, (8, 8)) + (1 - up(a05, (8, 8))) * p1
    torch.testing.assert_close(got, want)
    # multiplying before upsampling differs from upsampling first
    other = up(a05, (8, 8)) * up(p05, (8, 8)) + (1 - up(a05, (8, 8))) * p1
    assert not torch.allclose(got, other)


@pytest.mark.parametrize('scales', [(0.5, 1.0, 2.0), (2.0, 0.25, 1.0, 0.5)])
def test_n_scale_chain_matches_direct(scales):
    model = build_cpu_model(dlv3p_cfg(test_scales=scales))
    outs = _outputs(scales, seed=1)
    _stub(model, outs)
    model.eval()
    got = model.encode_decode(torch.zeros(1, 3, 8, 8), [dict()])
    # direct: highest scale first
    p2, _ = outs[2.0]
    p1, a1 = outs[1.0]
    pred = a1 * p1 + (1 - a1) * up(p2, (8, 8))
    for s in (0.5, 0.25):
        if s in scales:
            p, a = outs[s]
            pred = up(a * p, (8, 8)) + (1 - up(a, (8, 8))) * pred
    torch.testing.assert_close(got, pred)
    # a constant attention of 1 at 1.0 and 0 below: only p_1.0 survives
    for s in scales:
        p, a = outs[s]
        outs[s] = (p, torch.ones_like(a) if s == 1.0 else torch.zeros_like(a))
    torch.testing.assert_close(
        model.encode_decode(torch.zeros(1, 3, 8, 8), [dict()]), p1)


def test_rescale_floors_as_the_authors():
    """Scale s sees floor(s * H) x floor(s * W), the size of torch's
    ``interpolate(scale_factor=s, recompute_scale_factor=True)`` that the
    authors use (rounding would give 8 x 13 here)."""
    model = build_cpu_model(dlv3p_cfg())
    img = torch.randn(1, 3, 15, 25)
    for s in (0.5, 0.25, 1.5):
        want = F.interpolate(img, scale_factor=s, mode='bilinear',
                             align_corners=False,
                             recompute_scale_factor=True)
        got = model._rescale(img, s)
        assert got.shape == want.shape
        torch.testing.assert_close(got, want)


def test_explicit_and_avgpool_combination():
    model = build_cpu_model(dlv3p_cfg('explicit'))
    outs = _outputs((0.5, 1.0, 2.0), seed=2)
    preds = [outs[s][0] for s in (0.5, 1.0, 2.0)]
    attn = torch.softmax(torch.randn(1, 3, 8, 8), dim=1)
    got = model.explicit_combine((0.5, 1.0, 2.0), preds, attn)
    want = sum(attn[:, i:i + 1] * up(p, (8, 8)) for i, p in enumerate(preds))
    torch.testing.assert_close(got, want)
    # order of the scale list does not change the result
    got2 = model.explicit_combine((2.0, 0.5, 1.0),
                                  [preds[2], preds[0], preds[1]],
                                  attn[:, [2, 0, 1]])
    torch.testing.assert_close(got2, want)
    avg = build_cpu_model(dlv3p_cfg('avgpool'))
    lp = avg.avgpool_combine((0.5, 1.0, 2.0), preds)
    probs = sum(up(p, (8, 8)).softmax(1) for p in preds) / 3
    torch.testing.assert_close(lp.softmax(1), probs)


def test_scale_errors():
    with pytest.raises(ValueError, match='1.0'):
        build_cpu_model(dlv3p_cfg(test_scales=(0.5, 2.0)))
    with pytest.raises(ValueError, match='1.0'):
        build_cpu_model(dlv3p_cfg(train_scales=(0.5, 0.75)))
    with pytest.raises(ValueError, match='mode'):
        build_cpu_model(dlv3p_cfg(mode='nearest'))
    with pytest.raises(ValueError, match='num_scales'):
        cfg = dlv3p_cfg()
        cfg['decode_head']['scale_attn']['num_scales'] = 3
        build_cpu_model(cfg)
    with pytest.raises(ValueError, match='fixed scale set'):
        build_cpu_model(dlv3p_cfg('explicit', test_scales=(1.0, 2.0)))
    with pytest.raises(TypeError, match='forward_with_attention'):
        cfg = dlv3p_cfg('single')
        cfg['mode'] = 'hierarchical'
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
    model, losses = _train_step(dlv3p_cfg())
    assert {'decode.loss_ce', 'aux.loss_ce', 'scale0.5.loss_ce',
            'scale1.loss_ce'} <= set(losses)
    attn_params = list(model.decode_head.scale_attn.parameters())
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in attn_params)


def test_scale_loss_weight():
    torch.manual_seed(0)
    cfg = dlv3p_cfg(scale_loss_weight=0.05)
    model = build_cpu_model(cfg).eval()  # BN in eval: deterministic
    data = model.data_preprocessor(make_batch(3, batch=2, size=(32, 32)),
                                   True)
    losses = model.loss(data['inputs'], data['data_samples'])
    p1 = model._forward_scale(data['inputs'], False)['seg']
    raw = model.decode_head.loss_by_feat(p1, data['data_samples'])
    torch.testing.assert_close(losses['scale1.loss_ce'],
                               0.05 * raw['loss_ce'])
    # main and aux losses are on the attention-combined (joint) outputs
    res = model._multi_scale(data['inputs'], (0.5, 1.0), True)
    torch.testing.assert_close(
        losses['decode.loss_ce'],
        model.decode_head.loss_by_feat(res['seg'],
                                       data['data_samples'])['loss_ce'])
    torch.testing.assert_close(
        losses['aux.loss_ce'],
        model.auxiliary_head.loss_by_feat(res['aux'][0],
                                          data['data_samples'])['loss_ce'])


def test_explicit_single_avgpool_train_and_predict():
    for mode in ('explicit', 'single', 'avgpool'):
        model, losses = _train_step(dlv3p_cfg(mode))
        if mode == 'explicit':
            assert 'scale2.loss_ce' in losses
            assert model.decode_head.scale_attn.gate.conv.conv.weight.grad \
                is not None
        else:
            assert not any(k.startswith('scale') for k in losses)
        model.eval()
        with torch.no_grad():
            data = model.data_preprocessor(
                make_batch(3, batch=1, size=(30, 34)), False)
            out = model(**data, mode='predict')
        assert out[0].pred_sem_seg.shape == (30, 34)


def test_ocr_cascade_train_slide_and_tta():
    model, losses = _train_step(ocr_cfg())
    assert {'decode_1.loss_rmi', 'decode_0.loss_ce', 'scale0.5.loss_rmi',
            'scale1.loss_rmi'} <= set(losses)
    for p in model.decode_head[1].scale_attn.parameters():
        assert p.grad is not None
    model.eval()
    data = model.data_preprocessor(make_batch(3, batch=1, size=(40, 48)),
                                   False)
    with torch.no_grad():
        whole = model(**data, mode='predict')[0].seg_logits.data
        model.test_cfg = ConfigDict(mode='slide', crop_size=(32, 32),
                                    stride=(16, 16))
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
            dict(inputs=[batch['inputs'], flipped['inputs']],
                 data_samples=[batch['data_samples'],
                               flipped['data_samples']]))
    assert res[0].pred_sem_seg.shape == (32, 32)


def test_single_mode_equals_plain_encoder_decoder():
    """With mode='single' the segmentor is mmseg's EncoderDecoder."""
    from mmseg.registry import MODELS
    cfg = dlv3p_cfg('single')
    torch.manual_seed(0)
    ours = build_cpu_model(cfg).eval()
    plain_cfg = copy.deepcopy(cfg)
    for k in ('mode', ):
        plain_cfg.pop(k)
    plain_cfg['type'] = 'EncoderDecoder'
    plain = build_cpu_model(plain_cfg).eval()
    plain.load_state_dict(ours.state_dict())
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(
            ours.encode_decode(x, [dict(img_shape=(32, 32))]),
            plain.encode_decode(x, [dict(img_shape=(32, 32))]))
    assert MODELS.get('MultiScaleAttentionEncoderDecoder') is type(ours)
