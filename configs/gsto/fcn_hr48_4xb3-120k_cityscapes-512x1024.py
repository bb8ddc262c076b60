# HRNetV2-W48 + FCN head (mmseg's), the "HRNetV2" row of GSTO Table 1 (model
# learned on the train set), trained the HRNet way (experiments/cityscapes/
# seg_hrnet_w48_train_512x1024_sgd_lr1e-2_wd5e-4_bs_12_epoch484.yaml):
# 512x1024 crops of HRNet's scale augmentation, batch 12 (4 GPUs x 3),
# 484 epochs = 120k iterations, SGD lr 0.01, momentum 0.9, wd 5e-4, poly 0.9
# to 0, SyncBN, ImageNet-pretrained HRNetV2-W48; cross-entropy with HRNet's
# Cityscapes class weights, PyTorch's weighted mean (HRNetCrossEntropyLoss).
# Recipe table: configs/gsto/README.md. Evaluation: whole 2048x1024 images,
# mIoU, plus class/category IoU and iIoU when cityscapesscripts is installed.
_base_ = [
    '../_base_/models/fcn_hr48.py',
    '../_base_/datasets/cityscapes_512x1024_hrnet.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
class_weight = {{_base_.hrnet_cityscapes_class_weight}}
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(loss_decode=dict(class_weight=class_weight)))
