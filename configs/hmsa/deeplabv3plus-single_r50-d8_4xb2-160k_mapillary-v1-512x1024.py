# Hierarchical multi-scale attention, Table 3 "Baseline single scale":
# DeepLabV3+ ResNet-50 (mmseg's EncoderDecoder), Mapillary Vistas v1.2 (65
# classes), trained and evaluated at scale 1.0. The base of the other Table 3
# configs.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8.py',
    'mmseg::_base_/datasets/mapillary_v1.py',
    '../_base_/datasets/tta_flip_2048x1024.py',
    'mmseg::_base_/schedules/schedule_160k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
num_classes = 65
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=num_classes),
    auxiliary_head=dict(num_classes=num_classes))
# `--tta`: horizontal flips only (the multi-scale attention models combine
# their own test_scales; the dataset base's six-ratio TTA would multiply them)
tta_pipeline = {{_base_.flip_tta_pipeline}}
