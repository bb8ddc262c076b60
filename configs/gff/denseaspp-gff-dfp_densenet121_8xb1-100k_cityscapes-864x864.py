# GFF (Li et al., AAAI 2020), Table 4, row "DenseASPP+GFF+DFP DenseNet121".
# DenseASPP as the context module of GFFNet; levels: the 4 dense blocks.
_base_ = [
    '../_base_/datasets/cityscapes_864x864_gff.py',
    '../_base_/default_runtime.py',
    '../_base_/schedules/gff_schedule_100k.py'
]
norm_cfg = dict(type='SyncBN', requires_grad=True)
crop_size = (864, 864)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=crop_size)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='DenseNet',
        arch='121',
        output_stride=8,
        out_indices=(0, 1, 2, 3, 4),
        norm_cfg=norm_cfg,
        # torchvision weights converted with
        # tools/model_converters/densenet_torchvision.py
        init_cfg=dict(
            type='Pretrained', checkpoint='pretrain/densenet121_mmseg.pth')),
    decode_head=dict(
        type='GFFHead',
        in_channels=[256, 512, 1024, 1024, 512],
        in_index=[0, 1, 2, 3, 4],
        level_index=[0, 1, 2, 3],
        channels=256,
        context='denseaspp',
        dilations=(3, 6, 12, 18, 24),
        denseaspp_channels=(128, 64),
        context_channels=256,
        fusion_cfg=dict(out_channels=256, fusion='gff'),
        dfp=True,
        dfp_block='dense',
        dfp_channels=128,
        num_bottleneck_convs=0,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0, avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(576, 576)))
