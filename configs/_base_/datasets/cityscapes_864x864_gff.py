# Cityscapes as in the GFF paper: 864x864 crops, random scaling [0.75, 2],
# flip, brightness jitter in [-10, 10], batch 8 (8 GPUs x 1); sliding-window
# evaluation; multi-scale inference 0.75..1.75 through `--tta`.
_base_ = ['mmseg::_base_/datasets/cityscapes.py']
crop_size = (864, 864)
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
    dict(
        type='PhotoMetricDistortion',
        brightness_delta=10,
        contrast_range=(1.0, 1.0),
        saturation_range=(1.0, 1.0),
        hue_delta=0),
    dict(type='PackSegInputs')
]
img_ratios = [0.75, 1.0, 1.25, 1.5, 1.75]
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[[
            dict(type='Resize', scale_factor=r, keep_ratio=True)
            for r in img_ratios
        ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]])
]
train_dataloader = dict(batch_size=1, dataset=dict(pipeline=train_pipeline))
