# Real-data CPU check: mmseg's PSPNet-R18-D8, no pretrained weights, CamVid
# (SegNet layout) at half resolution, 400 iterations.
#   python tools/train.py \
#       configs/demo/pspnet_r18-d8_1xb4-400iter_camvid-180x240.py
_base_ = [
    '../_base_/models/pspnet_r50-d8.py',
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
        in_channels=512, channels=128, num_classes=11, norm_cfg=norm_cfg),
    auxiliary_head=dict(
        in_channels=256, channels=64, num_classes=11, norm_cfg=norm_cfg))

iters = 400
train_cfg = dict(max_iters=iters, val_interval=iters)
default_hooks = dict(checkpoint=dict(interval=iters))
