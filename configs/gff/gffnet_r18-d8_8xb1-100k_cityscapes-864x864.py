# GFF (Li et al., AAAI 2020), Table 4, row "PSP + GFF+DFP ResNet18".
# ResNet-18 widths: 128 channels everywhere in the head (as mmseg's PSP-R18).
_base_ = [
    '../_base_/models/gffnet_r50-d8.py',
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
        in_channels=[64, 128, 256, 512],
        channels=128,
        context_channels=128,
        fusion_cfg=dict(out_channels=128),
        dfp_channels=128),
    auxiliary_head=dict(in_channels=256, channels=64),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(576, 576)))
