# HRNetV2-W48 + FCN on Pascal Context (59 classes, 480x480), the HRNet
# recipe (experiments/pascal_ctx/seg_hrnet_w48_cls59_480x480_sgd_lr4e-3_
# wd1e-4_bs_16_epoch200.yaml): batch 16 (4 GPUs x 4), 200 epochs of 312
# iterations (4998 images) = 62,400 iterations, SGD lr 0.004, momentum 0.9,
# wd 1e-4, poly 0.9 to 0; unweighted cross-entropy, no OHEM; test: long
# side 520, 480x480 sliding window, stride 320, single scale.
_base_ = [
    '../_base_/models/fcn_hr48.py',
    '../_base_/datasets/pascal_context_59_480x480_hrnet.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (480, 480)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=59),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(320, 320)))
iters = 200 * 312
optimizer = dict(lr=0.004, weight_decay=0.0001)
optim_wrapper = dict(optimizer=optimizer)
train_cfg = dict(max_iters=iters, val_interval=6000)
