# GFF (Li et al., AAAI 2020), Table 4, row "PSP ResNet18".
_base_ = [
    'mmseg::_base_/models/pspnet_r50-d8.py',
    '../_base_/datasets/cityscapes_864x864_gff.py',
    '../_base_/default_runtime.py',
    '../_base_/schedules/gff_schedule_100k.py'
]
crop_size = (864, 864)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='open-mmlab://resnet18_v1c',
    backbone=dict(depth=18),
    decode_head=dict(
        in_channels=512, channels=128, loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0, avg_non_ignore=True)),
    auxiliary_head=dict(
        in_channels=256, channels=64, loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4, avg_non_ignore=True)),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(576, 576)))
