# GFF paper, Implementation Details: ADE20K / COCO-Stuff / Pascal Context,
# 150k iterations, batch 16; SGD lr 1e-3, poly 0.9, weight decay 1e-4.
_base_ = ['./gff_schedule_100k.py']
iters = 150000
param_scheduler = [dict(_base_.param_scheduler[0], end=iters)]
train_cfg = dict(max_iters=iters, val_interval=15000)
default_hooks = dict(checkpoint=dict(interval=15000))
