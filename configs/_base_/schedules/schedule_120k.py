# mmseg's schedule_80k run for 120k iterations: SGD lr 0.01, momentum 0.9,
# weight decay 5e-4, poly 0.9 down to 1e-4, validation and checkpoints every
# 8k iterations (the HRNet / GSTO Cityscapes recipe). The PolyLR sets no
# `end`: mmengine's runner ends it at train_cfg.max_iters, so a config of
# another length overrides `train_cfg` only.
_base_ = ['mmseg::_base_/schedules/schedule_80k.py']
iters = 120000
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, by_epoch=False)
]
train_cfg = dict(max_iters=iters)
