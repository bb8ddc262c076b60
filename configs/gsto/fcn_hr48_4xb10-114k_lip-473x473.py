# HRNetV2-W48 + FCN on LIP (20 classes, 473x473), the HRNet LIP recipe the
# GSTO paper follows: batch 40 (4 GPUs x 10), 150 epochs (~110k iterations),
# SGD lr 0.007, wd 5e-4, poly 0.9; flips swap left/right labels.
_base_ = [
    '../_base_/models/fcn_hr48.py', '../_base_/datasets/lip.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (473, 473)
model = dict(
    data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=20))
iters = 110000
optimizer = dict(lr=0.007)
optim_wrapper = dict(optimizer=optimizer)
train_cfg = dict(max_iters=iters, val_interval=10000)
default_hooks = dict(checkpoint=dict(interval=10000))
