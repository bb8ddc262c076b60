# Cityscapes for Gated-SCNN, the authors' training data pipeline
# (nv-tlabs/GSCNN datasets/__init__.py, transforms/, datasets/cityscapes.py)
# at the paper's 800x800 crops: the whole image rescaled by a factor uniform
# in [0.5, 2.0] (bicubic with Pillow as theirs, labels nearest), a random
# 800x800 crop (no class-ratio limit) padded with black / ignore where the
# image is smaller, horizontal flip, colour jitter, a Gaussian blur of every
# image (sigma uniform in [0.15, 1.3)), their edge ground truth (labels
# 1..18, radius 2, border counts) packed as gt_edge_map; 1 image per GPU.
# Full-image validation with mIoU and the boundary F-score at 3/5/9/12 px
# (Tables 1-4).
_base_ = ['mmseg::_base_/datasets/cityscapes.py']
crop_size = (800, 800)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 1024),
        ratio_range=(0.5, 2.0),
        keep_ratio=True,
        interpolation='bicubic',
        backend='pillow'),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=1.0),
    dict(type='Pad', size=crop_size, pad_val=dict(img=0, seg=255)),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='ColorJitter',
        brightness=0.25,
        contrast=0.25,
        saturation=0.25,
        hue=0.25),
    dict(type='RandomGaussianBlur', sigma_range=(0.15, 1.3), prob=1.0),
    dict(type='GenerateOneHotEdgeMap', num_classes=19, radius=2),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=1, dataset=dict(pipeline=train_pipeline))
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='BoundaryFScoreMetric', thresholds=(3, 5, 9, 12))
]
test_evaluator = val_evaluator
