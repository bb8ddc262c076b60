# DDSM paper, Table 1 (left), row "UPerNet+S+C": two DDSMs in the second and
# third stages of UPerNet (forming x~_2 and x~_3), N = N_c = 9.
_base_ = './upernet_r50_4xb2-80k_cityscapes-1024x1024.py'
model = dict(
    decode_head=dict(
        type='DDSMUPerHead',
        fusion_levels=(0, 1),
        fusion_cfg=dict(
            type='DDSM',
            spatial_cfg=dict(num_points=9),
            channel_cfg=dict(num_points=9))))
