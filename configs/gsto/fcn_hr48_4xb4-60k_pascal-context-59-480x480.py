# HRNetV2-W48 + FCN on Pascal Context (59 classes, 480x480), the HRNet
# recipe: batch 16, 200 epochs (~60k iterations), SGD lr 0.004, wd 1e-4,
# sliding-window test.
_base_ = [
    'mmseg::_base_/models/fcn_hr18.py',
    'mmseg::_base_/datasets/pascal_context_59.py',
    'mmseg::_base_/schedules/schedule_80k.py', '../_base_/default_runtime.py'
]
crop_size = (480, 480)
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
        num_classes=59,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=1.0, avg_non_ignore=True)),
    test_cfg=dict(mode='slide', crop_size=(480, 480), stride=(320, 320)))
iters = 60000
optimizer = dict(type='SGD', lr=0.004, momentum=0.9, weight_decay=0.0001)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=iters,
         by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=6000)
train_dataloader = dict(batch_size=4)
