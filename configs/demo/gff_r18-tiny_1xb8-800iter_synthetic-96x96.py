# CPU demo of GFF (Gated Fully Fusion + Dense Feature Pyramid): the slim
# ResNet-18 of uper_r18-tiny_1xb8-800iter_synthetic-96x96.py with GFFHead
# (PPM context, GFFNeck fusion of the 4 stages, DFP) on SyntheticSegDataset:
#   python tools/train.py configs/demo/gff_r18-tiny_1xb8-800iter_synthetic-96x96.py
_base_ = ['../_base_/datasets/synthetic.py', '../_base_/default_runtime.py']
crop_size = (96, 96)
norm_cfg = dict(type='BN', requires_grad=True)
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
    pretrained=None,
    backbone=dict(
        type='ResNetV1c',
        depth=18,
        stem_channels=16,
        base_channels=16,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 1, 1),
        strides=(1, 2, 2, 2),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True),
    decode_head=dict(
        type='GFFHead',  # builds a GFFNeck (fusion='gff') inside
        in_channels=[16, 32, 64, 128],
        in_index=[0, 1, 2, 3],
        channels=64,
        context='ppm',
        context_channels=64,
        pool_scales=(1, 2, 3, 6),
        fusion_cfg=dict(out_channels=64, fusion='gff', gate_channels=1),
        num_refine_convs=2,
        dfp=True,
        dfp_block='dense',
        dfp_channels=32,
        num_bottleneck_convs=0,
        dropout_ratio=0.1,
        num_classes=6,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=5e-4)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=800,
         by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=800, val_interval=800)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=800),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
