# HRNetV2-W48 + FCN on LIP (20 classes, 473x473), the HRNet LIP recipe the
# GSTO paper follows (experiments/lip/seg_hrnet_w48_473x473_sgd_lr7e-3_
# wd5e-4_bs_40_epoch150.yaml): batch 40 (4 GPUs x 10), 150 epochs of 761
# iterations (30462 images) = 114,150 iterations, SGD lr 0.007, momentum
# 0.9, wd 5e-4, poly 0.9 to 0; unweighted cross-entropy, no OHEM; images
# warped to 473x473 in training as in testing, flips swap left/right labels.
_base_ = [
    '../_base_/models/fcn_hr48.py', '../_base_/datasets/lip.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (473, 473)
model = dict(
    data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=20))
iters = 150 * 761
optimizer = dict(lr=0.007)
optim_wrapper = dict(optimizer=optimizer)
train_cfg = dict(max_iters=iters, val_interval=10000)
default_hooks = dict(checkpoint=dict(interval=10000))
