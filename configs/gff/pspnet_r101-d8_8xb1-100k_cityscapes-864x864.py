# GFF (Li et al., AAAI 2020), Tables 1-3, row "PSPNet(Baseline)".
# mmseg's PSPNet-R101-D8, trained with the paper's schedule and crops.
_base_ = [
    '../_base_/models/pspnet_r50-d8.py',
    '../_base_/datasets/cityscapes_864x864_gff.py',
    '../_base_/default_runtime.py', '../_base_/schedules/gff_schedule_100k.py'
]
crop_size = (864, 864)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='open-mmlab://resnet101_v1c',
    backbone=dict(depth=101),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(576, 576)))
