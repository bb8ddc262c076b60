# Gated-SCNN schedule, the authors' training defaults (nv-tlabs/GSCNN
# train.py, optimizer.py): SGD (no Nesterov), lr 0.01, momentum 0.9, weight
# decay 1e-4 on every parameter, poly power 1.0 to 0, 175 epochs of the 2975
# Cityscapes train images at 1 image per GPU on 8 GPUs (drop_last: 371
# iterations per epoch, 64925 in all). Theirs steps the poly once per epoch;
# here it decays per iteration over the same length. Validation every epoch,
# keeping the best mIoU checkpoint (their best_epoch_*.pth).
iters_per_epoch = 371
iters = 175 * iters_per_epoch  # 64925
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=1.0,
        begin=0,
        end=iters,
        by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=iters, val_interval=iters_per_epoch)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=iters_per_epoch,
        max_keep_ckpts=1,
        save_best='mIoU'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
