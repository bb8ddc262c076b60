# Hierarchical multi-scale attention, Cityscapes fine + coarse (Table 4): the
# authors' schedule (NVIDIA/semantic-segmentation
# scripts/train_cityscapes_sota.yml, train.py defaults): SGD, lr 0.01, momentum
# 0.9, weight decay 1e-4 on every parameter, poly power 2.0 down to 0, 175
# epochs at 16 GPUs x 1 image(s) (global batch 16). An epoch is 2,975 images
# (fine train, class-uniform epochs keep that size), 186 iterations at batch 16
# (their DistributedSampler pads to a multiple of the GPU count): 175 x 186 =
# 32550 iterations. Their poly steps once per epoch (loss/optimizer.py
# LambdaLR, scheduler.step() after each epoch); here per iteration.
_base_ = ['./sgd_poly_80k.py']
iters_per_epoch = 186
max_epochs = 175
iters = iters_per_epoch * max_epochs
optimizer = dict(weight_decay=0.0001)
optim_wrapper = dict(optimizer=optimizer)
param_scheduler = [
    dict(_base_.param_scheduler[0], eta_min=0.0, power=2.0, end=iters)
]
# validation every 10 epochs (theirs: every epoch)
train_cfg = dict(max_iters=iters, val_interval=iters_per_epoch * 10)
default_hooks = dict(
    checkpoint=dict(interval=iters_per_epoch * 10, save_last=True))
