# DDSM paper, Table 1 (left), row "UPerNet+DCN": a DCNv2 conv on the
# upsampled higher level at the two places where the ablation puts DDSM
# (forming x~_2 and x~_3).
_base_ = './upernet_r50_4xb2-80k_cityscapes-1024x1024.py'
model = dict(
    decode_head=dict(
        type='DDSMUPerHead',
        fusion_levels=(0, 1),
        fusion_cfg=dict(type='DCNFusion')))
