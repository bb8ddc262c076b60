# Hierarchical multi-scale attention, Mapillary Vistas: the authors' schedule
# (NVIDIA/semantic-segmentation scripts/train_mapillary.yml, train.py
# defaults): SGD, lr 0.005, momentum 0.9, weight decay 1e-4 on every parameter,
# poly power 1.0 down to 0, 200 epochs at 8 GPUs x 2 image(s) (global batch
# 16). An epoch is 18,000 images (Mapillary training), 1125 iterations at batch
# 16 (their DistributedSampler pads to a multiple of the GPU count): 200 x 1125
# = 225000 iterations. Their poly steps once per epoch (loss/optimizer.py
# LambdaLR, scheduler.step() after each epoch); here per iteration.
iters_per_epoch = 1125
max_epochs = 200
iters = iters_per_epoch * max_epochs
optimizer = dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=0.0001)
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
# validation every 10 epochs (theirs: every epoch)
train_cfg = dict(
    type='IterBasedTrainLoop',
    max_iters=iters,
    val_interval=iters_per_epoch * 10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=iters_per_epoch * 10,
        save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
