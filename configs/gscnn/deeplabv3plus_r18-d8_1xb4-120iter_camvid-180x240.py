# CPU check on real data for Gated-SCNN: the baseline, mmseg's DeepLabV3+
# (ResNet-18-D8, from scratch, no auxiliary head) on CamVid at 180x240, 120
# iterations (kept short: the CPU is shared); validation reports mIoU and
# the boundary F-score. Compare with
# gscnn_r18-d8_1xb4-120iter_camvid-180x240.py (same data, schedule, seed).
_base_ = [
    'mmseg::_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/camvid_180x240.py', '../_base_/default_runtime.py'
]
crop_size = (180, 240)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=512,
        channels=128,
        c1_in_channels=64,
        c1_channels=32,
        num_classes=11,
        norm_cfg=norm_cfg,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=1.0, avg_non_ignore=True)),
    auxiliary_head=None)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(240, 180),
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='GenerateBoundaryBand', radius=2),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='BoundaryFScoreMetric', thresholds=(3, 5, 9, 12))
]
test_evaluator = val_evaluator

iters = 120
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=iters,
         by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=iters, val_interval=iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=iters),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
