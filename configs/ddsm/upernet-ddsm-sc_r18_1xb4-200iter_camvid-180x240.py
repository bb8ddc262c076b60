# Local CPU check: UPerNet-R18 + two DDSMs (S+C, N = N_c = 9, the Table 1
# placement), same data and schedule as
# upernet_r18_1xb4-200iter_camvid-180x240.py.
_base_ = './upernet_r18_1xb4-200iter_camvid-180x240.py'
model = dict(
    decode_head=dict(
        type='DDSMUPerHead',
        fusion_levels=(0, 1),
        fusion_cfg=dict(
            type='DDSM',
            spatial_cfg=dict(num_points=9),
            channel_cfg=dict(num_points=9))))
