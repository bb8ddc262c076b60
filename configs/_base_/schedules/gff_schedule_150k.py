# GFF paper, Implementation Details: ADE20K / COCO-Stuff / Pascal Context,
# 150k iterations, batch 16; SGD lr 1e-3, poly 0.9, weight decay 1e-4.
_base_ = ['./gff_schedule_100k.py']
iters = 150000
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=iters,
        by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=iters, val_interval=15000)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=15000))
