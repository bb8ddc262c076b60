# Hierarchical multi-scale attention, Mapillary Vistas: the authors' schedule
# (NVIDIA/semantic-segmentation scripts/train_mapillary.yml, train.py
# defaults): SGD, lr 0.005, momentum 0.9, weight decay 1e-4 on every parameter,
# poly power 1.0 down to 0, 200 epochs at 8 GPUs x 2 image(s) (global batch
# 16). An epoch is 18,000 images (Mapillary training), 1125 iterations at batch
# 16 (their DistributedSampler pads to a multiple of the GPU count): 200 x 1125
# = 225000 iterations. Their poly steps once per epoch (loss/optimizer.py
# LambdaLR, scheduler.step() after each epoch); here per iteration.
# lr, poly power and length differ from
# ./hmsa_schedule_cityscapes_16xb1-175e.py.
_base_ = ['./hmsa_schedule_cityscapes_16xb1-175e.py']
iters_per_epoch = 1125
max_epochs = 200
iters = iters_per_epoch * max_epochs
optim_wrapper = dict(optimizer=dict(lr=0.005))
param_scheduler = [dict(_base_.param_scheduler[0], power=1.0, end=iters)]
train_cfg = dict(max_iters=iters, val_interval=iters_per_epoch * 10)
default_hooks = dict(checkpoint=dict(interval=iters_per_epoch * 10))
