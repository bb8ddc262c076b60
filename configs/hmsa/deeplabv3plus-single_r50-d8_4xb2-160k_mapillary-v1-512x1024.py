# Hierarchical multi-scale attention, Table 3 "Baseline single scale":
# DeepLabV3+ ResNet-50, Mapillary Vistas v1.2 (65 classes), trained and
# evaluated at scale 1.0.
_base_ = [
    'mmseg::_base_/models/deeplabv3plus_r50-d8.py',
    'mmseg::_base_/datasets/mapillary_v1.py',
    'mmseg::_base_/schedules/schedule_160k.py',
    '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
num_classes = 65
model = dict(
    type='MultiScaleAttentionEncoderDecoder',
    mode='single',
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(
        num_classes=num_classes,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=1.0, avg_non_ignore=True)),
    auxiliary_head=dict(
        num_classes=num_classes,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=0.4, avg_non_ignore=True)))
