# HRNetV2-W48 + FCN on LIP (20 classes, 473x473), the HRNet LIP recipe the
# GSTO paper follows: batch 40 (4 GPUs x 10), 150 epochs (~110k iterations),
# SGD lr 0.007, wd 5e-4, poly 0.9; flips swap left/right labels.
_base_ = [
    'mmseg::_base_/models/fcn_hr18.py', '../_base_/datasets/lip.py',
    'mmseg::_base_/schedules/schedule_80k.py', '../_base_/default_runtime.py'
]
crop_size = (473, 473)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='open-mmlab://msra/hrnetv2_w48',
    backbone=dict(
        extra=dict(
            stage2=dict(num_channels=(48, 96)),
            stage3=dict(num_channels=(48, 96, 192)),
            stage4=dict(num_channels=(48, 96, 192, 384)))),
    decode_head=dict(
        in_channels=[48, 96, 192, 384],
        channels=sum([48, 96, 192, 384]),
        num_classes=20,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=1.0, avg_non_ignore=True)))
iters = 110000
optimizer = dict(type='SGD', lr=0.007, momentum=0.9, weight_decay=0.0005)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=iters,
         by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=iters, val_interval=10000)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=10000))
