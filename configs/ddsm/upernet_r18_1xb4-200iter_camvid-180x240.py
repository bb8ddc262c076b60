# Local CPU check (no pretrained weights): UPerNet-R18 baseline on CamVid
# (SegNet layout) at half resolution, 200 iterations. Compare with
# upernet-ddsm-sc_r18_1xb4-200iter_camvid-180x240.py (same schedule):
#   ln -s $(realpath ../shared/data/camvid) data/camvid
#   python tools/train.py \
#       configs/ddsm/upernet_r18_1xb4-200iter_camvid-180x240.py
_base_ = [
    '../_base_/models/upernet_r50.py', '../_base_/datasets/camvid_180x240.py',
    '../_base_/schedules/schedule_cpu-200iter.py',
    '../_base_/default_runtime.py'
]
crop_size = (180, 240)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=[64, 128, 256, 512],
        channels=128,
        num_classes=11,
        norm_cfg=norm_cfg),
    auxiliary_head=dict(
        in_channels=256, channels=64, num_classes=11, norm_cfg=norm_cfg))
