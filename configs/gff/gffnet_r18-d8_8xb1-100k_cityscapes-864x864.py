# GFF (Li et al., AAAI 2020), Table 4, row "PSP + GFF+DFP ResNet18".
# ResNet-18 widths: 128 channels everywhere in the head (as mmseg's PSP-R18).
_base_ = ['./gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py']
model = dict(
    pretrained='open-mmlab://resnet18_v1c',
    backbone=dict(depth=18),
    decode_head=dict(
        in_channels=[64, 128, 256, 512],
        channels=128,
        context_channels=128,
        fusion_cfg=dict(out_channels=128),
        dfp_channels=128),
    auxiliary_head=dict(in_channels=256, channels=64))
