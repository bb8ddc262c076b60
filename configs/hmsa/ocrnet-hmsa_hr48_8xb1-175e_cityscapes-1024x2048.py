# HRNet-OCR + multi-scale attention on Cityscapes fine train only, the
# authors' scripts/train_cityscapes.yml (not a paper table; a teacher for
# tools/autolabel.py): 8 GPUs x 1 full 1024x2048 frame, lr 5e-3, poly power
# 2, weight decay 1e-4, 175 epochs of 2,975 images (65,100 iterations),
# class-uniform sampling, RMI, warm-started from the Mapillary model
# (stage 1: ./ocrnet-hmsa_hr48_8xb2-200e_mapillary-v1-1024x1024.py).
_base_ = [
    '../_base_/models/ocrnet-hmsa_hr48_cityscapes.py',
    '../_base_/datasets/cityscapes_fine_hmsa.py',
    '../_base_/schedules/hmsa_schedule_cityscapes_8xb1-175e.py',
    '../_base_/hmsa_cityscapes_runtime.py'
]
