# Hierarchical multi-scale attention, Table 4 "Fine + ground truth coarse
# labels": HRNetV2-W48 + OCR + multi-scale attention (MscaleOCR; mmseg's
# cascade [FCNHead, OCRHead] with an attention on the OCR features), trained
# on scales 0.5/1.0 with RMI as the main loss, evaluated with 0.5, 1.0, 2.0.
# The model (ResizeOnceHRNet, upsample_to_input=True, as the authors' code):
# ../_base_/models/ocrnet-hmsa_hr48.py.
_base_ = [
    '../_base_/models/ocrnet-hmsa_hr48.py',
    '../_base_/datasets/cityscapes_fine_coarse.py',
    '../_base_/datasets/tta_flip_2048x1024.py',
    'mmseg::_base_/schedules/schedule_160k.py', '../_base_/default_runtime.py'
]
# `--tta`: horizontal flips only (the model combines its own test_scales)
tta_pipeline = {{_base_.flip_tta_pipeline}}
