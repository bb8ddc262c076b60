# DDSM paper, Table 4, row "Ours" with ImageNet pre-training (CamVid test
# set, ResNet-101, 77.1 mIoU, single scale): the Table 3 model (three DDSMs,
# N = 25, N_c = 9) on full-resolution CamVid (720x960, converted with
# tools/dataset_converters/camvid.py), crop 720x720, random resize
# [0.75, 2], flip (the paper's three augmentations), SGD lr 0.01, momentum
# 0.9, wd 5e-4, poly 0.9 to 0; 40k iterations (the paper gives no length).
_base_ = [
    '../_base_/models/upernet_r50.py', '../_base_/datasets/camvid_720x960.py',
    '../_base_/schedules/ddsm_schedule_80k.py', '../_base_/default_runtime.py'
]
crop_size = (720, 720)
num_classes = 11
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='open-mmlab://resnet101_v1c',
    backbone=dict(depth=101),
    decode_head=dict(
        type='DDSMUPerHead',
        channels=256,
        num_classes=num_classes,
        fusion_levels=(0, 1, 2),
        fusion_cfg=dict(
            type='DDSM',
            spatial_cfg=dict(num_points=25),
            channel_cfg=dict(num_points=9)),
        ppm_bottleneck_kernel=1),  # as the Table 3 model
    auxiliary_head=dict(num_classes=num_classes))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(960, 720),
        ratio_range=(0.75, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
train_cfg = dict(max_iters=40000, val_interval=4000)
default_hooks = dict(checkpoint=dict(interval=4000))
