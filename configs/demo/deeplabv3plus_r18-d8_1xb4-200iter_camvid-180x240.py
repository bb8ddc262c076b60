# Real-data CPU check: mmseg's DeepLabV3+-R18-D8 (auxiliary FCN head), no
# pretrained weights, CamVid (SegNet layout) at half resolution, 200
# iterations. The Gated-SCNN and multi-scale attention CPU checks start here.
#   python tools/train.py \
#       configs/demo/deeplabv3plus_r18-d8_1xb4-200iter_camvid-180x240.py
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/camvid_180x240.py',
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
        in_channels=512,
        channels=128,
        c1_in_channels=64,
        c1_channels=32,
        num_classes=11,
        norm_cfg=norm_cfg),
    auxiliary_head=dict(
        in_channels=256, channels=64, num_classes=11, norm_cfg=norm_cfg))
