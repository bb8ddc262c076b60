# Hierarchical multi-scale attention, Table 4 "Fine + ground truth coarse
# labels": HRNetV2-W48 + OCR + multi-scale attention (MscaleOCR; mmseg's
# cascade [FCNHead, OCRHead] with an attention on the OCR features), trained
# on scales 0.5/1.0 with RMI as the main loss, evaluated with 0.5, 1.0, 2.0.
# The authors' recipe (NVIDIA/semantic-segmentation
# scripts/train_cityscapes_sota.yml without the auto-labels): 16 GPUs x 1
# full 1024x2048 frame, lr 1e-2, poly power 2, weight decay 1e-4, 175 epochs
# (32,550 iterations), class-uniform sampling with the coarse images as
# centroids of 13 classes until epoch 150, warm-started from a Mapillary
# model (stage 1: ./ocrnet-hmsa_hr48_8xb2-200e_mapillary-v1-1024x1024.py).
# Recipe table: ./README.md. The model (ResizeOnceHRNet, upsample_to_input,
# OCR Dropout2d 0.05, as the authors' code):
# ../_base_/models/ocrnet-hmsa_hr48.py.
_base_ = [
    '../_base_/models/ocrnet-hmsa_hr48_cityscapes.py',
    '../_base_/datasets/cityscapes_fine_coarse.py',
    '../_base_/schedules/hmsa_schedule_cityscapes_16xb1-175e.py',
    '../_base_/hmsa_cityscapes_runtime.py'
]
