"""DDSMUPerHead / DDSMSepASPPHead: only the fusion differs from mmseg's
heads; FLOPs of a DDSM segmentor count the sampler."""
import pytest
import torch
import torch.nn as nn
from helpers import tiny_resnet_v1c
from mmseg.models.decode_heads import DepthwiseSeparableASPPHead, UPerHead
from mmseg.models.utils import resize

from mmseg_gated.models.decode_heads import DDSMSepASPPHead, DDSMUPerHead

NORM = dict(type='BN', requires_grad=True)
# mmseg warns about its default avg_non_ignore=False at every build
LOSS = dict(type='CrossEntropyLoss', avg_non_ignore=True)


class _UpAdd(nn.Module):
    """Stand-in fusion: mmseg's upsample-and-add."""

    def forward(self, x_l, x_h):
        return x_l + resize(
            x_h, size=x_l.shape[2:], mode='bilinear', align_corners=False)


def _uper_cfg(**kw):
    cfg = dict(
        in_channels=[8, 16, 24, 32],
        in_index=[0, 1, 2, 3],
        channels=16,
        num_classes=5,
        norm_cfg=NORM,
        pool_scales=(1, 2, 3, 6),
        loss_decode=LOSS)
    cfg.update(kw)
    return cfg


def _feats(batch=2, size=(33, 29)):
    h, w = size
    return [
        torch.randn(batch, c, -(-h // s), -(-w // s))
        for c, s in zip((8, 16, 24, 32), (4, 8, 16, 32))
    ]


def test_uper_head_shapes_and_levels():
    torch.manual_seed(0)
    head = DDSMUPerHead(
        fusion_levels=(0, 1),
        fusion_cfg=dict(type='DDSM', spatial_cfg=dict(num_points=9)),
        **_uper_cfg())
    assert sorted(head.fusions.keys()) == ['0', '1']
    feats = _feats()
    out = head(feats)
    assert out.shape == (2, 5, *feats[0].shape[2:])
    head3 = DDSMUPerHead(
        fusion_cfg=dict(
            type='DDSM',
            spatial_cfg=dict(num_points=25),
            channel_cfg=dict(num_points=9)),
        **_uper_cfg())
    assert len(head3.fusions) == 3
    assert head3.fusions['2'].spatial_branch.num_points == 25
    assert head3.fusions['2'].channel_branch.num_points == 9
    out = head3(feats)
    (out.sum()).backward()
    for name, p in head3.named_parameters():
        if 'conv_seg' in name or 'fusions' in name:
            assert p.grad is not None, name


def test_uper_head_equals_mmseg_with_upadd_fusion():
    torch.manual_seed(0)
    ref = UPerHead(**_uper_cfg()).eval()
    head = DDSMUPerHead(fusion_levels=(0, 2), **_uper_cfg()).eval()
    missing, unexpected = head.load_state_dict(ref.state_dict(), strict=False)
    assert not unexpected and all(k.startswith('fusions.') for k in missing)
    for k in list(head.fusions.keys()):
        head.fusions[k] = _UpAdd()
    feats = _feats(1)
    torch.testing.assert_close(head(feats), ref(feats))


def test_uper_head_dcn_fusion():
    head = DDSMUPerHead(
        fusion_levels=(0, 1), fusion_cfg=dict(type='DCNFusion'), **_uper_cfg())
    assert type(head.fusions['0']).__name__ == 'DCNFusion'
    assert head(_feats()).shape[1] == 5


def test_uper_head_ppm_bottleneck_kernel():
    """``ppm_bottleneck_kernel=1``: only the conv after the PPM changes
    (1x1 instead of mmseg's 3x3, BN and ReLU kept); same output shape."""
    torch.manual_seed(0)
    ref = UPerHead(**_uper_cfg())
    head3 = DDSMUPerHead(fusion_levels=(0, ), **_uper_cfg())
    head1 = DDSMUPerHead(
        fusion_levels=(0, ), ppm_bottleneck_kernel=1, **_uper_cfg())
    # 32 + 4 x 16 inputs -> 16 channels
    assert head3.bottleneck.conv.kernel_size == (3, 3)
    assert head1.bottleneck.conv.kernel_size == (1, 1)
    assert head1.bottleneck.conv.weight.shape == (16, 96, 1, 1)
    assert head1.bottleneck.conv.bias is None
    assert type(head1.bottleneck.bn) is type(ref.bottleneck.bn)
    assert type(head1.bottleneck.activate) is type(ref.bottleneck.activate)

    def count(m):
        return sum(p.numel() for p in m.parameters())

    assert count(head3) - count(head1) == 16 * 96 * 8
    assert head1(_feats()).shape == head3(_feats()).shape
    with pytest.raises(ValueError, match='ppm_bottleneck_kernel'):
        DDSMUPerHead(ppm_bottleneck_kernel=5, **_uper_cfg())


def test_uper_head_wrong_in_channels_message():
    head = DDSMUPerHead(
        fusion_levels=(0, ), **_uper_cfg(in_channels=[8, 16, 20, 32]))
    with pytest.raises(
            ValueError, match=r'in_channels\[2\] is 20.*\(1, 24, 3, 2\)'):
        head(_feats(1))
    head = DDSMUPerHead(
        fusion_levels=(0, ), **_uper_cfg(in_index=[0, 1, 2, 4]))
    with pytest.raises(ValueError, match='in_index.*output 4.*4 outputs'):
        head(_feats(1))


def test_uper_head_bad_levels():
    with pytest.raises(ValueError, match='fusion_levels'):
        DDSMUPerHead(fusion_levels=(3, ), **_uper_cfg())
    with pytest.raises(ValueError, match='fusion_levels'):
        DDSMUPerHead(fusion_levels=(), **_uper_cfg())
    with pytest.raises(TypeError, match='fusion_cfg'):
        DDSMUPerHead(fusion_cfg='DDSM', **_uper_cfg())


def _aspp_cfg(**kw):
    cfg = dict(
        in_channels=32,
        in_index=3,
        channels=16,
        dilations=(1, 2, 3),
        c1_in_channels=8,
        c1_channels=6,
        num_classes=5,
        norm_cfg=NORM,
        loss_decode=LOSS)
    cfg.update(kw)
    return cfg


def test_sep_aspp_head_shapes_and_equivalence():
    torch.manual_seed(0)
    feats = _feats(2)
    head = DDSMSepASPPHead(**_aspp_cfg())
    assert head.fusion.low_channels == 6 and head.fusion.high_channels == 16
    assert head(feats).shape == (2, 5, *feats[0].shape[2:])

    ref = DepthwiseSeparableASPPHead(**_aspp_cfg()).eval()
    head = DDSMSepASPPHead(**_aspp_cfg()).eval()
    missing, unexpected = head.load_state_dict(ref.state_dict(), strict=False)
    assert not unexpected and all(k.startswith('fusion.') for k in missing)

    class _C1Only(nn.Module):  # stand-in that keeps mmseg's c1 path

        def forward(self, x_l, x_h):
            return x_l

    head.fusion = _C1Only()
    torch.testing.assert_close(head(feats), ref(feats))


def test_sep_aspp_head_errors():
    head = DDSMSepASPPHead(**_aspp_cfg(in_channels=24))
    with pytest.raises(ValueError, match='in_channels is 24'):
        head(_feats(1))
    head = DDSMSepASPPHead(**_aspp_cfg(c1_in_channels=6))
    with pytest.raises(ValueError, match='c1_in_channels is 6'):
        head(_feats(1))
    with pytest.raises(ValueError, match='c1_in_channels'):
        DDSMSepASPPHead(**_aspp_cfg(c1_in_channels=0))
    with pytest.raises(ValueError, match='channels'):
        DDSMSepASPPHead(
            fusion_cfg=dict(type='DDSM', channels=8), **_aspp_cfg())


def test_segmentor_flops_count_the_sampler(monkeypatch):
    from mmseg.registry import MODELS

    from mmseg_gated.utils import flops
    cfg = dict(
        type='EncoderDecoder',
        backbone=tiny_resnet_v1c(8, norm_cfg=NORM),
        decode_head=dict(
            type='DDSMUPerHead',
            in_channels=[8, 16, 32, 64],
            in_index=[0, 1, 2, 3],
            channels=16,
            num_classes=3,
            norm_cfg=NORM,
            loss_decode=LOSS,
            fusion_cfg=dict(
                type='DDSM',
                spatial_cfg=dict(backend='mmcv'),
                channel_cfg=dict(backend='mmcv'))))
    model = MODELS.build(cfg)
    with_handle = flops.count_complexity(model, (32, 32))
    op = 'prim::PythonOp.ModulatedDeformConv2dFunction'
    assert op not in with_handle['uncounted']
    monkeypatch.delitem(flops.EXTRA_OP_HANDLES, op)
    without = flops.count_complexity(model, (32, 32))
    # 3 DDSMs x the channel sampler (the spatial one is inside the core op)
    assert without['uncounted'].get(op) == 3
    assert with_handle['flops'] > without['flops']
