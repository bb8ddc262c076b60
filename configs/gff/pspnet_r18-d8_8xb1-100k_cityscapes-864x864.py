# GFF (Li et al., AAAI 2020), Table 4, row "PSP ResNet18".
_base_ = ['./pspnet_r101-d8_8xb1-100k_cityscapes-864x864.py']
model = dict(
    pretrained='open-mmlab://resnet18_v1c',
    backbone=dict(depth=18),
    decode_head=dict(in_channels=512, channels=128),
    auxiliary_head=dict(in_channels=256, channels=64))
