# Cityscapes for Gated-SCNN: 800x800 crops (paper, "Training details"),
# random scale 0.5-2.0 and flips, boundary-band targets (radius 2) packed as
# gt_edge_map; full-image validation with mIoU and the boundary F-score at
# 3/5/9/12 px (Tables 1-4).
_base_ = ['mmseg::_base_/datasets/cityscapes.py']
crop_size = (800, 800)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 1024),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='GenerateBoundaryBand', radius=2),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='BoundaryFScoreMetric', thresholds=(3, 5, 9, 12))
]
test_evaluator = val_evaluator
