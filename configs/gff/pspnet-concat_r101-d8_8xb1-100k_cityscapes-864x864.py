# GFF (Li et al., AAAI 2020), Table 1, row "PSPNet + Concat".
# Concatenation (Eq. 2) of the 4 stages reduced to 256, two 3x3 convs.
# The paper initialises Table 1 models from the trained PSPNet: pass
#   --cfg-options load_from=<pspnet_r101-d8_8xb1-100k_cityscapes-864x864 ckpt>
# (GFFHead names its PPM and bottleneck as PSPHead does, so they load with
# the backbone and the aux head).
_base_ = ['./gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py']
model = dict(
    decode_head=dict(
        fusion_cfg=dict(out_channels=256, fusion='concat'), dfp=False))
