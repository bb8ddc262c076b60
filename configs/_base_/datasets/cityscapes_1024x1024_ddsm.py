# Cityscapes as in the DDSM paper (Implementation details), which lists
# exactly three augmentations: random horizontal flip, random resize with
# scale range [0.75, 2], random 1024x1024 crop (plain: no class-ratio
# re-draw; no colour jitter). Batch 2 per GPU (the paper gives no batch);
# mmseg's full-image (2048x1024) validation.
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
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
