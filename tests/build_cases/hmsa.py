"""Minimal configs for hierarchical multi-scale attention's classes."""
from helpers import CE_LOSS as _CE
from helpers import tiny_resnet_v1c, tiny_sep_aspp_head

_NORM = dict(type='BN')
_BACKBONE = tiny_resnet_v1c(2, stem_channels=4, norm_cfg=_NORM)
_HEAD = tiny_sep_aspp_head(
    'HMSASepASPPHead',
    in_channels=16,
    c1_in_channels=4,
    norm_cfg=_NORM,
    scale_attn=dict(channels=4),
    loss_decode=_CE)

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
        backbone=_BACKBONE, decode_head=_HEAD, test_cfg=dict(mode='whole')),
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
