# Cityscapes as in the DDSM paper (Sec. 3): 1024x1024 crops of images
# randomly resized by [0.75, 2], flips and photometric distortion, batch 2
# per GPU; mmseg's full-image (2048x1024) validation.
_base_ = ['mmseg::_base_/datasets/cityscapes_1024x1024.py']
crop_size = (1024, 1024)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 1024),
        ratio_range=(0.75, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
