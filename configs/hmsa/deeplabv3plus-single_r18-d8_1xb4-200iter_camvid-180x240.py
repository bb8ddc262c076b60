# CPU check on real data (hierarchical multi-scale attention): DeepLabV3+
# ResNet-18-D8 (mmseg's EncoderDecoder) from scratch on CamVid at 180x240,
# 200 iterations, single scale. Compare with
# deeplabv3plus-hmsa_r18-d8_1xb4-200iter_camvid-180x240.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/camvid_180x240.py',
    '../_base_/schedules/schedule_cpu-200iter.py',
    '../_base_/default_runtime.py'
]
crop_size = (180, 240)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=512,
        channels=128,
        c1_in_channels=64,
        c1_channels=32,
        num_classes=11,
        norm_cfg=norm_cfg),
    auxiliary_head=dict(
        in_channels=256, channels=64, num_classes=11, norm_cfg=norm_cfg))
# `--tta`: horizontal flips only (the multi-scale attention model combines
# its own test_scales)
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [dict(type='Resize', scale=(240, 180), keep_ratio=True)],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]
        ])
]
