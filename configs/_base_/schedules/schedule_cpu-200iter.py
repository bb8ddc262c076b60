# Short schedule for CPU checks on real data (no pretrained weights): SGD,
# poly decay over 200 iterations, validation and a checkpoint at the end.
# The PolyLR sets no `end`: mmengine's runner ends it at train_cfg.max_iters,
# so a config of another length overrides `train_cfg` and
# `default_hooks.checkpoint` only.
_base_ = ['./sgd_poly_80k.py']
iters = 200
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, by_epoch=False)
]
train_cfg = dict(max_iters=iters, val_interval=iters)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=iters))
randomness = dict(seed=0)
