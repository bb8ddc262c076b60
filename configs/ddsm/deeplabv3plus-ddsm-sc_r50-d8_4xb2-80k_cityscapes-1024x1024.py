# DDSM paper, Table 1 (right), row "Deeplabv3++S+C": one DDSM from the ASPP
# output to the stride-4 feature, N = N_c = 9.
_base_ = './deeplabv3plus_r50-d8_4xb2-80k_cityscapes-1024x1024.py'
model = dict(
    decode_head=dict(
        type='DDSMSepASPPHead',
        fusion_cfg=dict(
            type='DDSM',
            spatial_cfg=dict(num_points=9),
            channel_cfg=dict(num_points=9))))
