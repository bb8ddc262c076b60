"""Minimal configs for hierarchical multi-scale attention's classes."""
_NORM = dict(type='BN')
_CE = dict(type='CrossEntropyLoss', avg_non_ignore=True)
_HEAD = dict(
    in_channels=16,
    in_index=3,
    channels=8,
    dilations=(1, 2),
    c1_in_channels=4,
    c1_channels=4,
    num_classes=3,
    norm_cfg=_NORM,
    scale_attn=dict(channels=4),
    loss_decode=_CE)
_BACKBONE = dict(
    type='ResNetV1c',
    depth=18,
    base_channels=2,
    stem_channels=4,
    norm_cfg=_NORM)

CASES = dict(
    ScaleAttentionHead=dict(in_channels=8, channels=4),
    HierarchicalScaleFusion=dict(),
    ExplicitScaleFusion=dict(in_channels=8, scales=(0.5, 1.0), channels=4),
    HMSASepASPPHead=_HEAD,
    HMSAOCRHead=dict(
        in_channels=8,
        channels=8,
        ocr_channels=4,
        num_classes=3,
        norm_cfg=_NORM,
        scale_attn=dict(channels=4),
        loss_decode=_CE),
    RMILoss=dict(),
    HMSAEncoderDecoder=dict(
        backbone=_BACKBONE,
        decode_head=dict(_HEAD, type='HMSASepASPPHead'),
        test_cfg=dict(mode='whole')),
    HMSACascadeEncoderDecoder=dict(
        num_stages=2,
        backbone=_BACKBONE,
        decode_head=[
            dict(
                type='FCNHead',
                in_channels=16,
                in_index=3,
                channels=4,
                num_convs=1,
                num_classes=3,
                norm_cfg=_NORM,
                loss_decode=_CE),
            dict(
                type='HMSAOCRHead',
                in_channels=16,
                in_index=3,
                channels=8,
                ocr_channels=4,
                num_classes=3,
                norm_cfg=_NORM,
                scale_attn=dict(channels=4),
                loss_decode=_CE),
        ],
        test_cfg=dict(mode='whole')),
)


def _class_uniform_case(tmp_path):
    """Class-uniform sampling over a tiny generated synthetic dataset."""
    return dict(
        datasets=[
            dict(
                type='SyntheticSegDataset',
                num_samples=2,
                img_size=(32, 32),
                data_root=str(tmp_path / 'synthetic'))
        ],
        num_classes=6,
        tile_size=16,
        cache_dir=str(tmp_path / 'cache'),
        progress=False)


# the authors' data recipe
CASES.update(
    ClassUniformDataset=_class_uniform_case,
    CentroidCrop=dict(crop_size=(8, 8)),
    ColorJitter=dict(
        brightness=0.25, contrast=0.25, saturation=0.25, hue=0.25),
    RandomRescale=dict(),
)
