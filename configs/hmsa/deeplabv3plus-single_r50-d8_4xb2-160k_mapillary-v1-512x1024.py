# Hierarchical multi-scale attention, Table 3 "Baseline single scale":
# DeepLabV3+ ResNet-50 (mmseg's EncoderDecoder), Mapillary Vistas v1.2 (65
# classes), trained and evaluated at scale 1.0. The base of the other Table 3
# configs.
_base_ = [
    'mmseg::_base_/models/deeplabv3plus_r50-d8.py',
    'mmseg::_base_/datasets/mapillary_v1.py',
    'mmseg::_base_/schedules/schedule_160k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
num_classes = 65
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(
        num_classes=num_classes,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=1.0, avg_non_ignore=True)),
    auxiliary_head=dict(
        num_classes=num_classes,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=0.4, avg_non_ignore=True)))
# `--tta`: horizontal flips only (the multi-scale attention models combine
# their own test_scales; the dataset base's six-ratio TTA would multiply them)
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [dict(type='Resize', scale=(2048, 1024), keep_ratio=True)],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]
        ])
]
