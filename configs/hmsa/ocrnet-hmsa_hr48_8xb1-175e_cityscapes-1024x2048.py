# HRNet-OCR + multi-scale attention on Cityscapes fine train only, the
# authors' scripts/train_cityscapes.yml (not a paper table; a teacher for
# tools/autolabel.py): 8 GPUs x 1 full 1024x2048 frame, lr 5e-3, poly power
# 2, weight decay 1e-4, 175 epochs of 2,975 images (65,100 iterations),
# class-uniform sampling, RMI, warm-started from the Mapillary model
# (stage 1: ./ocrnet-hmsa_hr48_8xb2-200e_mapillary-v1-1024x1024.py).
_base_ = [
    '../_base_/models/ocrnet-hmsa_hr48.py',
    '../_base_/datasets/cityscapes_fine_hmsa.py',
    '../_base_/datasets/tta_flip_2048x1024.py',
    '../_base_/schedules/hmsa_schedule_cityscapes_8xb1-175e.py',
    '../_base_/default_runtime.py'
]
crop_size = (1024, 2048)
model = dict(data_preprocessor=dict(size=crop_size))
train_dataloader = dict(batch_size=1)
# stage 1: the Mapillary model (its 65-class classifiers are not loaded)
load_from = 'work_dirs/ocrnet-hmsa_hr48_8xb2-200e_mapillary-v1-1024x1024/iter_225000.pth'  # noqa: E501
# `--tta`: horizontal flips only (the model combines its own test_scales)
tta_pipeline = {{_base_.flip_tta_pipeline}}
