"""Minimal configs for the DDSM classes."""
NORM = dict(type='BN')

CASES = dict(
    DynamicSampler=dict(in_channels=8, kernel_size=3),
    DDSM=dict(
        low_channels=8,
        high_channels=16,
        channels=8,
        spatial_cfg=dict(num_points=9),
        channel_cfg=dict(num_points=9, channel_dim=16, pool_size=4)),
    DCNFusion=dict(low_channels=8, high_channels=16, channels=8),
    DDSMUPerHead=dict(
        in_channels=[8, 16, 32, 64],
        in_index=[0, 1, 2, 3],
        channels=8,
        num_classes=3,
        norm_cfg=NORM,
        fusion_levels=(0, 1)),
    DDSMSepASPPHead=dict(
        in_channels=64,
        in_index=3,
        channels=8,
        dilations=(1, 2),
        c1_in_channels=8,
        c1_channels=4,
        num_classes=3,
        norm_cfg=NORM),
)
