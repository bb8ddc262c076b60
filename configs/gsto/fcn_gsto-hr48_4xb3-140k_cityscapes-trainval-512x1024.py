# GSTO-HRNet-W48 + FCN learned on train+val: "Our approach" of GSTO Table 1,
# "Model learned on the train+valid set" (test set, multi-scale + flip).
# HRNet's second stage (experiments/cityscapes/seg_hrnet_w48_trainval_ohem_
# 512x1024_sgd_lr1e-2_wd5e-4_bs_12_epoch484x2.yaml): continues from the
# train-set model (fcn_gsto-hr48_4xb3-120k_cityscapes-512x1024.py) on
# train+val for 484 epochs (139,876 iterations at batch 12) at lr 0.001,
# poly 0.9 to 0. The authors' README gets 82.3 without and 82.4 (the
# paper's figure) with OHEM, so OHEM is on, with GSTO's defaults
# (config/default.py: threshold 0.9, at least 100000 pixels kept per GPU
# batch of 3 images, averaged over the kept pixels) on each of the three
# outputs (1.0 / 0.5 / 0.3), with HRNet's Cityscapes class weights.
_base_ = [
    '../_base_/models/fcn_gsto-hr48.py',
    '../_base_/datasets/cityscapes_trainval_512x1024_hrnet.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
class_weight = {{_base_.hrnet_cityscapes_class_weight}}
ohem = dict(ohem_thresh=0.9, min_kept=100000)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,  # the weights come from the first stage (load_from)
    decode_head=dict(loss_decode=dict(class_weight=class_weight, **ohem)),
    # the model base's two GSTOAuxHeads with the class weights and OHEM (a
    # list is replaced, not merged)
    auxiliary_head=[
        dict(
            head,
            loss_decode=dict(
                head.loss_decode, class_weight=class_weight, **ohem))
        for head in _base_.model.auxiliary_head
    ])
iters = 484 * 289
optimizer = dict(lr=0.001)
optim_wrapper = dict(optimizer=optimizer)
train_cfg = dict(max_iters=iters)
load_from = ('work_dirs/fcn_gsto-hr48_4xb3-120k_cityscapes-512x1024/'
             'iter_120000.pth')
