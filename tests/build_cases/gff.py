"""Minimal configs for the GFF paper's registered classes."""

_TINY_WRN = ((8, 8), (8, 16), (16, 16), (16, 32), (16, 16, 32), (16, 16, 64))
# mmseg's CrossEntropyLoss warns unless avg_non_ignore is set
_LOSS = dict(type='CrossEntropyLoss', avg_non_ignore=True)

CASES = dict(
    WiderResNet=dict(channels=_TINY_WRN),
    DenseNet=dict(
        arch=dict(
            growth_rate=4, num_init_features=8, block_config=(1, 1, 1, 1))),
    GFFNeck=dict(in_channels=[4, 8, 16], out_channels=8),
    GFFOfficialNeck=dict(in_channels=[4, 8, 16], out_channels=8),
    GFFHead=dict(
        in_channels=[4, 8, 16],
        in_index=[0, 1, 2],
        channels=8,
        num_classes=3,
        context_channels=8,
        pool_scales=(1, 2),
        fusion_cfg=dict(out_channels=8),
        dfp_channels=8,
        loss_decode=_LOSS),
    GFFOfficialHead=dict(
        in_channels=[4, 8, 16],
        in_index=[0, 1, 2],
        channels=8,
        num_classes=3,
        context_channels=8,
        dilations=(1, 2),
        channels_fused=4,
        dfp_dilations=(1, 2, 3),
        loss_decode=_LOSS),
    DenseASPPHead=dict(
        in_channels=16,
        mid_channels=8,
        growth_channels=4,
        num_classes=3,
        loss_decode=_LOSS),
)

# GFF's colour jitter
CASES.update(RandomBrightness=dict(delta=10))
