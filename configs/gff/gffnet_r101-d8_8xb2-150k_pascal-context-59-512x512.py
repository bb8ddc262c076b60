# GFF (Li et al., AAAI 2020), Table 9, row "GFFNet(Ours) ResNet101".
# 512x512 crops, 150k iterations, batch 16 (8 GPUs x 2).
_base_ = ['./gffnet_r50-d8_8xb2-150k_pascal-context-59-512x512.py']
model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))
