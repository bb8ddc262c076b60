# Cityscapes as in the GFF paper (Implementation Details): random scaling
# [0.75, 2], random 864x864 crops (plain: no class-ratio re-draw), flip,
# colour jitter in [-10, 10] (brightness), batch 8 (8 GPUs x 1); sliding-
# window evaluation; multi-scale inference 0.75..1.75 (averaged
# probabilities, no flip) through `--tta`. See configs/gff/README.md,
# "Training recipe".
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
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomBrightness', delta=10),
    dict(type='PackSegInputs')
]
img_ratios = [0.75, 1.0, 1.25, 1.5, 1.75]
tta_resizes = [
    dict(type='Resize', scale_factor=r, keep_ratio=True) for r in img_ratios
]
# val: the annotations are loaded for the metric
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            tta_resizes, [dict(type='LoadAnnotations')],
            [dict(type='PackSegInputs')]
        ])
]
# test split (no labels): test-set configs set
# `tta_pipeline = {{_base_.test_server_tta_pipeline}}`
test_server_tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[tta_resizes, [dict(type='PackSegInputs')]])
]
train_dataloader = dict(batch_size=1, dataset=dict(pipeline=train_pipeline))
