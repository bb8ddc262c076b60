# HRNetV2-W48 + FCN head (mmseg's), the "HRNetV2" row of GSTO Table 1 (model
# learned on the train set), with the HRNet/GSTO Cityscapes recipe: 512x1024
# crops, batch 12 (4 GPUs x 3), 120k iterations (484 epochs), SGD lr 0.01,
# momentum 0.9, wd 5e-4, poly 0.9, SyncBN, ImageNet-pretrained HRNetV2-W48.
# Evaluation: mIoU, plus class/category IoU and iIoU when cityscapesscripts
# is installed (CityscapesIIoUMetric; a clear message otherwise).
_base_ = [
    'mmseg::_base_/models/fcn_hr18.py', 'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/schedules/schedule_80k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
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
        num_classes=19,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=1.0, avg_non_ignore=True)))

iters = 120000
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0005)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=iters,
         by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=8000)
train_dataloader = dict(batch_size=3)
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='CityscapesIIoUMetric'),
]
test_evaluator = val_evaluator
