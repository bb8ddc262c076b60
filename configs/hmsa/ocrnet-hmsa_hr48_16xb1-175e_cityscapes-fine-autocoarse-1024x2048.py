# Table 4 "Fine + auto-generated coarse labels", the authors'
# scripts/train_cityscapes_sota.yml: as
# ./ocrnet-hmsa_hr48_16xb1-175e_cityscapes-fine-coarse-1024x2048.py with the
# coarse images labelled by tools/autolabel.py from a teacher (threshold
# 0.5, border mask, ground-truth coarse truck/bus/train; see ./README.md).
_base_ = [
    '../_base_/models/ocrnet-hmsa_hr48_cityscapes.py',
    '../_base_/datasets/cityscapes_fine_autocoarse.py',
    '../_base_/schedules/hmsa_schedule_cityscapes_16xb1-175e.py',
    '../_base_/hmsa_cityscapes_runtime.py'
]
