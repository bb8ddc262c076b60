# Table 4 "Fine + auto-generated coarse labels", the authors'
# scripts/train_cityscapes_sota.yml: as
# ./ocrnet-hmsa_hr48_16xb1-175e_cityscapes-fine-coarse-1024x2048.py with the
# coarse images labelled by tools/autolabel.py from a teacher (threshold
# 0.5, border mask, ground-truth coarse truck/bus/train; see ./README.md).
_base_ = [
    '../_base_/models/ocrnet-hmsa_hr48.py',
    '../_base_/datasets/cityscapes_fine_autocoarse.py',
    '../_base_/datasets/tta_flip_2048x1024.py',
    '../_base_/schedules/hmsa_schedule_cityscapes_16xb1-175e.py',
    '../_base_/default_runtime.py'
]
crop_size = (1024, 2048)
model = dict(data_preprocessor=dict(size=crop_size))
train_dataloader = dict(batch_size=1)
# stage 1: the Mapillary model (its 65-class classifiers are not loaded)
load_from = 'work_dirs/ocrnet-hmsa_hr48_8xb2-200e_mapillary-v1-1024x1024/iter_225000.pth'  # noqa: E501
# `--tta`: horizontal flips only (the model combines its own test_scales)
tta_pipeline = {{_base_.flip_tta_pipeline}}
