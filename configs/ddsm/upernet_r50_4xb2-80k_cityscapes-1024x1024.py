# DDSM paper, Table 1 (left), row "UPerNet": the baseline of the ablation.
# UPerNet R50 on Cityscapes, training settings of the paper (Sec. 3): SGD
# lr 0.01, momentum 0.9, wd 5e-4, poly 0.9, random resize [0.75, 2], flip,
# crop 1024x1024. Decoder width 256 (see README: the paper's R101 model has
# 51.8M params, which rules out mmseg's 512-channel UPerHead).
_base_ = [
    'mmseg::_base_/models/upernet_r50.py',
    'mmseg::_base_/datasets/cityscapes_1024x1024.py',
    'mmseg::_base_/schedules/schedule_80k.py', '../_base_/default_runtime.py'
]
crop_size = (1024, 1024)
decoder_channels = 256
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(
        channels=decoder_channels,
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
