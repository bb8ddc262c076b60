# Hierarchical multi-scale attention, Table 3 "Baseline single scale":
# DeepLabV3+ ResNet-50 (mmseg's EncoderDecoder), Mapillary Vistas v1.2 (65
# classes, 'Unlabeled' ignored), trained and evaluated at scale 1.0. The base
# of the other Table 3 configs. Their Mapillary recipe
# (scripts/train_mapillary.yml; the paper gives none for Table 3): 8 GPUs x
# 2 1024x1024 crops, lr 5e-3, poly power 1.0, weight decay 1e-4, 200 epochs
# (225,000 iterations), RMI loss (0.5 BCE + 0.5 RMI), no auxiliary head
# (their DeepV3Plus / MscaleV3Plus have none), evaluated at long edge 2177.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/mapillary_v1_hmsa.py',
    '../_base_/schedules/hmsa_schedule_mapillary_8xb2-200e.py',
    '../_base_/default_runtime.py'
]
crop_size = (1024, 1024)
num_classes = 65
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(
        num_classes=num_classes,
        loss_decode=dict(_delete_=True, type='RMILoss')),
    auxiliary_head=None)
# batch 2 a GPU and `--tta` (horizontal flips only, at the test size: the
# multi-scale attention models combine their own test_scales) come from the
# dataset base
