# GFF paper, Implementation Details: SGD, initial lr 1e-3 (as printed),
# "poly" power 0.9, weight decay 1e-4; Cityscapes 100k iterations.
_base_ = ['./sgd_poly_80k.py']
iters = 100000
optimizer = dict(lr=0.001, weight_decay=0.0001)
optim_wrapper = dict(optimizer=optimizer)
# mmseg's poly 0.9, down to 0 over this length
param_scheduler = [dict(_base_.param_scheduler[0], eta_min=0.0, end=iters)]
train_cfg = dict(max_iters=iters, val_interval=10000)
default_hooks = dict(checkpoint=dict(interval=10000))
