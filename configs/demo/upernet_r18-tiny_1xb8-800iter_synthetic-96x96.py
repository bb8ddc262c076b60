# CPU demo: a slim ResNet-18 + UPerHead on the procedural SyntheticSegDataset.
# Trains, validates and prints mIoU in a few minutes on 2 CPU cores:
#   python tools/train.py \
#       configs/demo/upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py
# mmseg's UPerNet (ResNetV1c, UPerHead) at ResNet-18 depth with 16-wide
# stem and stages, BN, no auxiliary head, 6 classes.
_base_ = [
    '../_base_/models/upernet_r50.py', '../_base_/datasets/synthetic.py',
    '../_base_/schedules/schedule_cpu-200iter.py',
    '../_base_/default_runtime.py'
]
crop_size = (96, 96)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,
    backbone=dict(
        depth=18, stem_channels=16, base_channels=16, norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=[16, 32, 64, 128],
        channels=64,
        num_classes=6,
        norm_cfg=norm_cfg),
    auxiliary_head=None)

# the CPU-check schedule at lr 0.02 for 800 iterations, logging every 50
iters = 800
optimizer = dict(lr=0.02)
optim_wrapper = dict(optimizer=optimizer)
train_cfg = dict(max_iters=iters, val_interval=iters)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=iters))
