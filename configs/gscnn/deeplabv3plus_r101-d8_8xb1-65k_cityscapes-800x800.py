# Gated-SCNN, Table 3 (ResNet-101), row "Baseline"; Table 4 row "Baseline":
# mmseg's DeepLabV3+ (ResNet-101-D8), no auxiliary head, same data, crop and
# schedule as the Gated-SCNN rows.
_base_ = ['./deeplabv3plus_r50-d8_8xb1-65k_cityscapes-800x800.py']
model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))
