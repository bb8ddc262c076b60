# HRNetV2-W48 + FCN head (mmseg's), the "HRNetV2" row of GSTO Table 1 (model
# learned on the train set), with the HRNet/GSTO Cityscapes recipe: 512x1024
# crops, batch 12 (4 GPUs x 3), 120k iterations (484 epochs), SGD lr 0.01,
# momentum 0.9, wd 5e-4, poly 0.9, SyncBN, ImageNet-pretrained HRNetV2-W48.
# Evaluation: mIoU, plus class/category IoU and iIoU when cityscapesscripts
# is installed (CityscapesIIoUMetric; a clear message otherwise).
_base_ = [
    '../_base_/models/fcn_hr48.py', '../_base_/datasets/cityscapes_iiou.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
model = dict(data_preprocessor=dict(size=crop_size))
train_dataloader = dict(batch_size=3)
