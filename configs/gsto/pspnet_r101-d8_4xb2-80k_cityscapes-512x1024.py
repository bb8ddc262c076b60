# PSPNet-R101-D8 (mmseg's), the baseline of the GSTO-PPM experiment.
# mmseg's Cityscapes recipe: 512x1024 crops, batch 8, 80k iterations.
_base_ = [
    '../_base_/models/pspnet_r50-d8.py',
    'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/schedules/schedule_80k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='open-mmlab://resnet101_v1c',
    backbone=dict(depth=101))
