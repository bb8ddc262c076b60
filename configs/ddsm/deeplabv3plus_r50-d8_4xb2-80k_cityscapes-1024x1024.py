# DDSM paper, Table 1 (right), row "Deeplabv3+": the baseline. mmseg's
# DeepLabV3+ R50-D8 with the paper's training settings (SGD lr 0.01,
# momentum 0.9, wd 5e-4, poly 0.9, random resize [0.75, 2], crop 1024).
_base_ = [
    'mmseg::_base_/models/deeplabv3plus_r50-d8.py',
    'mmseg::_base_/datasets/cityscapes_1024x1024.py',
    'mmseg::_base_/schedules/schedule_80k.py', '../_base_/default_runtime.py'
]
crop_size = (1024, 1024)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=1.0, avg_non_ignore=True)),
    auxiliary_head=dict(
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=0.4, avg_non_ignore=True)))
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
