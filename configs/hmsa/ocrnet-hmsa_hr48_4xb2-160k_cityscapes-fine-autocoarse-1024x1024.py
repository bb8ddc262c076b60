# Table 4 "Fine + auto-generated coarse labels": as the fine + coarse model,
# with the coarse images labelled by tools/autolabel.py from a teacher.
_base_ = [
    '../_base_/models/ocrnet-hmsa_hr48.py',
    '../_base_/datasets/cityscapes_fine_autocoarse.py',
    '../_base_/datasets/tta_flip_2048x1024.py',
    'mmseg::_base_/schedules/schedule_160k.py', '../_base_/default_runtime.py'
]
# `--tta`: horizontal flips only (the model combines its own test_scales)
tta_pipeline = {{_base_.flip_tta_pipeline}}
