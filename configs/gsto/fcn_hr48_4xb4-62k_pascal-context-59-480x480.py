# HRNetV2-W48 + FCN on Pascal Context (59 classes, 480x480), the HRNet
# recipe: batch 16, 200 epochs (~60k iterations), SGD lr 0.004, wd 1e-4,
# sliding-window test.
_base_ = [
    '../_base_/models/fcn_hr48.py',
    'mmseg::_base_/datasets/pascal_context_59.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (480, 480)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=59),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(320, 320)))
iters = 60000
optimizer = dict(lr=0.004, weight_decay=0.0001)
optim_wrapper = dict(optimizer=optimizer)
train_cfg = dict(max_iters=iters, val_interval=6000)
train_dataloader = dict(batch_size=4)
