# GFF (Li et al., AAAI 2020), Table 1, row "PSPNet + Gated FPN".
# FPN top-down path (5 maps: 4 stages + PPM) with duplex gates.
# The paper initialises Table 1 models from the trained PSPNet: pass
#   --cfg-options load_from=<pspnet_r101-d8_8xb1-100k_cityscapes-864x864 ckpt>
# (GFFHead names its PPM and bottleneck as PSPHead does, so they load with
# the backbone and the aux head).
_base_ = ['./gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py']
model = dict(
    decode_head=dict(
        fusion_cfg=dict(out_channels=256, fusion='gated_fpn'),
        context_as_level=True,
        dfp=False))
