# DDSM paper, Implementation details: SGD, momentum 0.9, weight decay 5e-4,
# lr 0.01 decayed by (1 - epoch / max_epoch) ** 0.9, i.e. down to 0 (mmseg's
# schedule_80k stops at 1e-4). The paper states no length or batch: 80k
# iterations of batch 8 (mmseg's Cityscapes default). The poly is stepped
# per iteration (the paper: per epoch; see configs/ddsm/README.md). The
# PolyLR sets no `end`: mmengine ends it at train_cfg.max_iters, so a config
# of another length overrides `train_cfg` only.
_base_ = ['mmseg::_base_/schedules/schedule_80k.py']
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, by_epoch=False)
]
