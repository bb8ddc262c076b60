# GFF (Li et al., AAAI 2020), Table 4, row "DenseASPP DenseNet121".
# DenseASPP (Yang et al., CVPR 2018) on the dilated DenseNet121 (no aux head).
_base_ = [
    '../_base_/models/encoder_decoder.py',
    '../_base_/datasets/cityscapes_864x864_gff.py',
    '../_base_/default_runtime.py', '../_base_/schedules/gff_schedule_100k.py'
]
norm_cfg = dict(type='SyncBN', requires_grad=True)
crop_size = (864, 864)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        type='DenseNet',
        arch='121',
        output_stride=8,
        out_indices=(0, 1, 2, 3, 4),
        norm_cfg=norm_cfg,
        # torchvision weights converted with
        # tools/model_converters/gff_densenet_torchvision.py
        init_cfg=dict(
            type='Pretrained', checkpoint='pretrain/densenet121_mmseg.pth')),
    decode_head=dict(
        type='DenseASPPHead',
        in_channels=512,
        in_index=4,
        mid_channels=128,
        growth_channels=64,
        dilations=(3, 6, 12, 18, 24),
        aspp_dropout=0.1,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(576, 576)))
