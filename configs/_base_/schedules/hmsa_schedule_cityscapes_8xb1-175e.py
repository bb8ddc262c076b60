# Hierarchical multi-scale attention, Cityscapes fine only: the authors'
# schedule (NVIDIA/semantic-segmentation scripts/train_cityscapes.yml, train.py
# defaults): SGD, lr 0.005, momentum 0.9, weight decay 1e-4 on every parameter,
# poly power 2.0 down to 0, 175 epochs at 8 GPUs x 1 image(s) (global batch 8).
# An epoch is 2,975 images (fine train), 372 iterations at batch 8 (their
# DistributedSampler pads to a multiple of the GPU count): 175 x 372 = 65100
# iterations. Their poly steps once per epoch (loss/optimizer.py LambdaLR,
# scheduler.step() after each epoch); here per iteration.
# Only lr and length differ from ./hmsa_schedule_cityscapes_16xb1-175e.py.
_base_ = ['./hmsa_schedule_cityscapes_16xb1-175e.py']
iters_per_epoch = 372
iters = iters_per_epoch * _base_.max_epochs
optim_wrapper = dict(optimizer=dict(lr=0.005))
param_scheduler = [dict(_base_.param_scheduler[0], end=iters)]
train_cfg = dict(max_iters=iters, val_interval=iters_per_epoch * 10)
default_hooks = dict(checkpoint=dict(interval=iters_per_epoch * 10))
