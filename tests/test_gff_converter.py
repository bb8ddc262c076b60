"""The authors' DecoupleSegNets GFF checkpoint layout -> our state dict."""
import importlib.util
import os.path as osp
import re

import torch
import torch.nn.functional as F
from mmengine.model import revert_sync_batchnorm

from mmseg.registry import MODELS
import mmseg_gated  # noqa: F401

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
spec = importlib.util.spec_from_file_location(
    'gff_wrn38_decouple',
    osp.join(ROOT, 'tools/model_converters/gff_wrn38_decouple.py'))
conv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conv)

TINY = ((8, 8), (8, 16), (16, 16), (16, 32), (16, 16, 32), (16, 16, 64))
W = 4  # fused width (128 in the real model)


def tiny_official_model():
    cfg = dict(
        type='EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor'),
        backbone=dict(type='WiderResNet', channels=TINY, out_indices=(1, 4, 6)),
        decode_head=dict(
            type='GFFHead', in_channels=[8, 32, 64], in_index=[0, 1, 2],
            level_index=[0, 1], channels=6, context='aspp',
            dilations=(1, 12, 24, 36), context_channels=5,
            context_norm=False, context_as_level=True,
            fusion_cfg=dict(out_channels=W, gate_channels=W,
                            order='sequential'),
            num_refine_convs=0, dfp_block='dense', dfp_channels=W,
            dfp_dilations=(3, 6, 9), dfp_context_input=False,
            concat_context='reduced', num_bottleneck_convs=2,
            dropout_ratio=0., num_classes=3, align_corners=True))
    return revert_sync_batchnorm(MODELS.build(cfg))


# Hand-written inverse (ours -> authors' names), independent of the
# converter's rules.
INVERSE = [
    (r'^backbone\.(.*)$', r'\1'),
    (r'^decode_head\.image_pool\.1\.conv\.', 'aspp.img_conv.0.'),
    (r'^decode_head\.image_pool\.1\.bn\.', 'aspp.img_conv.1.'),
    (r'^decode_head\.aspp_modules\.(\d)\.conv\.', r'aspp.features.\1.0.'),
    (r'^decode_head\.aspp_modules\.(\d)\.bn\.', r'aspp.features.\1.1.'),
    (r'^decode_head\.context_bottleneck\.conv\.', 'bot_aspp.'),
    (r'^decode_head\.fusion\.reduce_convs\.0\.conv\.', 'gff_head.d_in1.0.'),
    (r'^decode_head\.fusion\.reduce_convs\.0\.bn\.', 'gff_head.d_in1.1.'),
    (r'^decode_head\.fusion\.reduce_convs\.1\.conv\.', 'gff_head.d_in2.0.'),
    (r'^decode_head\.fusion\.reduce_convs\.1\.bn\.', 'gff_head.d_in2.1.'),
    (r'^decode_head\.fusion\.reduce_convs\.2\.conv\.', 'gff_head.d_in3.0.'),
    (r'^decode_head\.fusion\.reduce_convs\.2\.bn\.', 'gff_head.d_in3.1.'),
    (r'^decode_head\.fusion\.gates\.(\d)\.conv\.conv\.',
     lambda m: f'gff_head.gate{int(m.group(1)) + 1}.0.'),
    (r'^decode_head\.dfp_convs\.(\d)\.0\.bn\.',
     lambda m: f'gff_head.dense_{3 * (int(m.group(1)) + 1)}.norm1.'),
    (r'^decode_head\.dfp_convs\.(\d)\.0\.conv\.',
     lambda m: f'gff_head.dense_{3 * (int(m.group(1)) + 1)}.conv1.'),
    (r'^decode_head\.dfp_convs\.(\d)\.1\.bn\.',
     lambda m: f'gff_head.dense_{3 * (int(m.group(1)) + 1)}.norm2.'),
    (r'^decode_head\.dfp_convs\.(\d)\.1\.conv\.',
     lambda m: f'gff_head.dense_{3 * (int(m.group(1)) + 1)}.conv2.'),
    (r'^decode_head\.bottleneck\.0\.conv\.', 'gff_head.cls.0.'),
    (r'^decode_head\.bottleneck\.0\.bn\.', 'gff_head.cls.1.'),
    (r'^decode_head\.bottleneck\.1\.conv\.', 'gff_head.cls.3.'),
    (r'^decode_head\.bottleneck\.1\.bn\.', 'gff_head.cls.4.'),
    (r'^decode_head\.conv_seg\.', 'gff_head.cls.6.'),
]


def to_official(ours):
    src = {}
    for k, v in ours.items():
        if k == 'decode_head.conv_seg.bias':
            continue  # the authors' classifier has no bias
        for pat, repl in INVERSE:
            if re.match(pat, k):
                new = re.sub(pat, repl, k)
                break
        else:
            raise AssertionError(k)
        if new == 'gff_head.cls.0.weight':  # ours [aspp, d3, d6, d9]
            aspp, d3, d6, d9 = v.split(W, dim=1)
            v = torch.cat([d3, aspp, d6, d9], dim=1)
        src['module.' + new] = v.clone()
    src['module.bn_out.0.weight'] = torch.ones(64)  # ImageNet leftovers
    return {'state_dict': src}


def test_round_trip_and_strict_load():
    model = tiny_official_model()
    ours = model.state_dict()
    for v in ours.values():
        if v.is_floating_point():
            v.copy_(torch.randn_like(v))
    ours['decode_head.conv_seg.bias'].zero_()
    out = conv.convert(to_official(ours))
    assert set(out) == set(ours)
    for k in ours:
        assert torch.equal(out[k], ours[k]), k
    model.load_state_dict(out, strict=True)


def test_cls_input_reorder_preserves_output():
    g = torch.Generator().manual_seed(0)
    d3, aspp, d6, d9 = (torch.randn(1, W, 5, 5, generator=g)
                        for _ in range(4))
    w_official = torch.randn(6, 4 * W, 3, 3, generator=g)
    ref = F.conv2d(torch.cat([d3, aspp, d6, d9], 1), w_official, padding=1)
    w_ours = conv.reorder_cls_input(w_official, W)
    got = F.conv2d(torch.cat([aspp, d3, d6, d9], 1), w_ours, padding=1)
    assert torch.allclose(ref, got, atol=1e-5)


def test_unknown_key_raises():
    import pytest
    with pytest.raises(KeyError, match='unexpected key'):
        conv.convert({'module.foo.weight': torch.zeros(1)})


def test_densenet_torchvision_layout():
    spec = importlib.util.spec_from_file_location(
        'gff_densenet_torchvision',
        osp.join(ROOT, 'tools/model_converters/gff_densenet_torchvision.py'))
    dn = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dn)
    arch = dict(growth_rate=4, num_init_features=8, block_config=(1, 2, 1, 1))
    model = MODELS.build(dict(type='DenseNet', arch=arch,
                              final_transition=False))
    ours = model.state_dict()
    # torchvision's released files: features.* with 'norm.1'-style names
    src = {}
    for k, v in ours.items():
        tv = re.sub(r'\.(norm|conv)([12])\.', r'.\1.\2.', k)
        src['features.' + tv] = torch.randn_like(v.float()).to(v.dtype)
    src['classifier.weight'] = torch.zeros(10, 8)
    out = dn.convert(src, keep_norm5=True)
    assert set(out) == set(ours)
    model.load_state_dict(out, strict=True)
    k = 'denseblock2.denselayer2.conv1.weight'
    assert torch.equal(out[k], src['features.denseblock2.denselayer2.conv.1.weight'])
    # DenseASPP variant: norm5 (1/2 width after transition4) is dropped
    assert not any(k.startswith('norm5') for k in dn.convert(src))
