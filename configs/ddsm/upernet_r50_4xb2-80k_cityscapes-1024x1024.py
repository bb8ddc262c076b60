# DDSM paper, Table 1 (left), row "UPerNet": the baseline of the ablation.
# UPerNet R50 on Cityscapes, training settings of the paper (Sec. 3): SGD
# lr 0.01, momentum 0.9, wd 5e-4, poly 0.9, random resize [0.75, 2], flip,
# crop 1024x1024. Decoder width 256 (see README: the paper's R101 model has
# 51.8M params, which rules out mmseg's 512-channel UPerHead).
_base_ = [
    '../_base_/models/upernet_r50.py',
    '../_base_/datasets/cityscapes_1024x1024_ddsm.py',
    '../_base_/schedules/ddsm_schedule_80k.py', '../_base_/default_runtime.py'
]
crop_size = (1024, 1024)
decoder_channels = 256
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(channels=decoder_channels))
