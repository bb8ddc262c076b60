# CPU check on real data: HRNetV2-W18 + FCN, no pretrained weights, CamVid
# (SegNet layout) at half resolution, 200 iterations; compare with
# fcn_gsto-hr18_1xb4-200iter_camvid-180x240.py (same everything else).
#   python tools/train.py configs/gsto/fcn_hr18_1xb4-200iter_camvid-180x240.py
_base_ = [
    'mmseg::_base_/models/fcn_hr18.py',
    '../_base_/datasets/camvid_180x240.py', '../_base_/default_runtime.py'
]
crop_size = (180, 240)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,
    backbone=dict(norm_cfg=norm_cfg),
    decode_head=dict(
        num_classes=11,
        norm_cfg=norm_cfg,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=1.0, avg_non_ignore=True)))
iters = 200
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=iters,
         by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=iters, val_interval=iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=iters),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
