# CPU check on real data for Gated-SCNN: the baseline, mmseg's DeepLabV3+
# (ResNet-18-D8, from scratch, no auxiliary head) on CamVid at 180x240, 120
# iterations (kept short: the CPU is shared); validation reports mIoU and
# the boundary F-score. Compare with
# gscnn_r18-d8_1xb4-120iter_camvid-180x240.py (same data, schedule, seed).
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/camvid_180x240.py',
    '../_base_/schedules/schedule_cpu-200iter.py',
    '../_base_/default_runtime.py'
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
        norm_cfg=norm_cfg),
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
train_cfg = dict(max_iters=iters, val_interval=iters)
default_hooks = dict(checkpoint=dict(interval=iters))
