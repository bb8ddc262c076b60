# GFF (Li et al., AAAI 2020), Table 8, row "GFFNet(ours)".
# The authors' DeepLabV3+ / WiderResNet-38 GFFNet (DecoupleSegNets
# network/gffnets.py) as GFFOfficialHead: levels mod2 (1/2) and mod5 + the
# ASPP output, 128-wide gates and levels, sequential fusion, DFP of dense
# blocks (dilation 3/6/9) at 1/2 resolution, reduced ASPP output in the
# concat, align_corners=True.
# Their released checkpoint converts with
#   tools/model_converters/gff_wrn38_decouple.py
# Test-set submission: python tools/test.py THIS_CONFIG CKPT --tta
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
        type='WiderResNet',
        structure=(3, 3, 6, 3, 1, 1),
        output_stride=8,
        out_indices=(1, 4, 6),
        norm_cfg=norm_cfg,
        # Mapillary-pretrained WRN-38 as Gated-SCNN (Table 8 shares its
        # setting); keys as ours after stripping `module.`
        init_cfg=dict(
            type='Pretrained', checkpoint='pretrain/wrn38_mapillary.pth',
            prefix='module.')),
    decode_head=dict(
        # the authors' layout (GFFOfficialHead / GFFOfficialNeck docstrings)
        type='GFFOfficialHead',
        in_channels=[128, 1024, 4096],
        in_index=[0, 1, 2],
        channels=256,
        context_channels=256,
        dilations=(1, 12, 24, 36),
        channels_fused=128,
        dfp_dilations=(3, 6, 9),
        dropout_ratio=0.0,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=True,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
            avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(576, 576)))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CityscapesDataset',
        data_root='data/cityscapes/',
        data_prefix=dict(img_path='leftImg8bit/test'),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
            dict(type='PackSegInputs')
        ]))
test_evaluator = dict(
    type='CityscapesMetric', format_only=True,
    output_dir='work_dirs/format_results')
