# HRNet's schedule (HRNet-Semantic-Segmentation tools/train.py and
# utils.adjust_learning_rate), which GSTO trains with: SGD (one parameter
# group, weight decay on every parameter) lr 0.01, momentum 0.9, weight
# decay 5e-4, no Nesterov, no warm-up; lr = base * (1 - iter / max_iters)^0.9
# per iteration, down to 0. 120k iterations = their 484 Cityscapes epochs at
# batch 12 (2975 images: 248 iterations an epoch). The PolyLR sets no `end`:
# mmengine's runner ends it at train_cfg.max_iters, so a config of another
# length overrides `train_cfg` only. Validation and checkpoints every 8k.
_base_ = ['mmseg::_base_/schedules/schedule_80k.py']
iters = 120000
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, by_epoch=False)
]
train_cfg = dict(max_iters=iters)
