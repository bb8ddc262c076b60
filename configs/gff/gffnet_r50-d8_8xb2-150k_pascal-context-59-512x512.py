# GFF (Li et al., AAAI 2020), Table 9, row "GFFNet(Ours) ResNet50".
# 512x512 crops, 150k iterations, batch 16 (8 GPUs x 2).
_base_ = [
    '../_base_/models/gffnet_r50-d8.py',
    'mmseg::_base_/datasets/pascal_context_59.py',
    '../_base_/default_runtime.py', '../_base_/schedules/gff_schedule_150k.py'
]
# the paper crops Pascal Context to 512 (mmseg's base uses 480)
# the paper's augmentation (Implementation Details): random scaling
# [0.75, 2] (of mmseg's base size 520x520), random 512x512 crops padded
# with zeros (plain: no class-ratio re-draw), flip, colour jitter in
# [-10, 10] (brightness)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(
        type='RandomResize',
        scale=(520, 520),
        ratio_range=(0.75, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=(512, 512)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomBrightness', delta=10),
    dict(type='PackSegInputs')
]
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='open-mmlab://resnet50_v1c',
    backbone=dict(depth=50),
    decode_head=dict(num_classes=59),
    auxiliary_head=dict(num_classes=59))
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
