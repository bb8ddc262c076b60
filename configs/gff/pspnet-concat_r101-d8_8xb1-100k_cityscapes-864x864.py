# GFF (Li et al., AAAI 2020), Table 1, row "PSPNet + Concat".
# Concatenation (Eq. 2) of the 4 stages reduced to 256, two 3x3 convs.
# Stage 2 of 2: "we use weights from the trained PSPNet to initialize the
# parameters in each fusion method" (paper, Ablation Study on Feature Fusion
# Methods): starts from the last checkpoint of stage 1,
# pspnet_r101-d8_8xb1-100k_cityscapes-864x864.py (GFFHead names its PPM and
# bottleneck as PSPHead does, so they load with the backbone and the aux
# head). Commands: configs/gff/README.md, "Training recipe".
_base_ = ['./gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py']
load_from = ('work_dirs/pspnet_r101-d8_8xb1-100k_cityscapes-864x864/'
             'iter_100000.pth')
model = dict(
    decode_head=dict(
        fusion_cfg=dict(out_channels=256, fusion='concat'), dfp=False))
