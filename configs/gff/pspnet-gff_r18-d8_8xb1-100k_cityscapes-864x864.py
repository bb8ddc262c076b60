# GFF (Li et al., AAAI 2020), Table 4, row "PSP + GFF ResNet18".
_base_ = ['./gffnet_r18-d8_8xb1-100k_cityscapes-864x864.py']
model = dict(decode_head=dict(dfp=False))
