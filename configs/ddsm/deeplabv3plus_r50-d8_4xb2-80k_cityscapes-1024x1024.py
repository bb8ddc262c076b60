# DDSM paper, Table 1 (right), row "Deeplabv3+": the baseline. mmseg's
# DeepLabV3+ R50-D8 with the paper's training settings (SGD lr 0.01,
# momentum 0.9, wd 5e-4, poly 0.9, random resize [0.75, 2], crop 1024).
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/cityscapes_1024x1024_ddsm.py',
    '../_base_/schedules/ddsm_schedule_80k.py', '../_base_/default_runtime.py'
]
crop_size = (1024, 1024)
model = dict(data_preprocessor=dict(size=crop_size))
