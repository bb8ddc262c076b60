# DDSM paper, Table 1 (right), row "Deeplabv3++DCN": a DCNv2 conv on the
# upsampled ASPP output where DDSM goes (into the stride-4 feature).
_base_ = './deeplabv3plus_r50-d8_4xb2-80k_cityscapes-1024x1024.py'
model = dict(
    decode_head=dict(
        type='DDSMSepASPPHead', fusion_cfg=dict(type='DCNFusion')))
