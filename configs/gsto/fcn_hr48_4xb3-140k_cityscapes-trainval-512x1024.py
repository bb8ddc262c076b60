# HRNetV2-W48 + FCN learned on train+val: the "HRNetV2" row of GSTO Table 1,
# "Model learned on the train+valid set", the HRNet way (experiments/
# cityscapes/seg_hrnet_w48_trainval_512x1024_sgd_lr1e-2_wd5e-4_bs_12_
# epoch484x2.yaml): a second stage that continues from the train-set model
# (fcn_hr48_4xb3-120k_cityscapes-512x1024.py) on train+val for 484 epochs
# (3475 images, 289 iterations an epoch at batch 12: 139,876 iterations) at
# lr 0.001, poly 0.9 to 0; everything else as the first stage. Run the first
# stage, then this config (see README.md). Tested on the test set with
# multi-scale (0.5-1.75) + flip (``tools/test.py ... --tta``); the evaluator
# writes labelIds PNGs for the server (needs cityscapesscripts).
_base_ = [
    '../_base_/models/fcn_hr48.py',
    '../_base_/datasets/cityscapes_trainval_512x1024_hrnet.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
class_weight = {{_base_.hrnet_cityscapes_class_weight}}
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,  # the weights come from the first stage (load_from)
    decode_head=dict(loss_decode=dict(class_weight=class_weight)))
iters = 484 * 289
optimizer = dict(lr=0.001)
optim_wrapper = dict(optimizer=optimizer)
train_cfg = dict(max_iters=iters)
load_from = 'work_dirs/fcn_hr48_4xb3-120k_cityscapes-512x1024/iter_120000.pth'
