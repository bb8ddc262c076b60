# CPU check on real data (hierarchical multi-scale attention): DeepLabV3+
# ResNet-18-D8 (mmseg's EncoderDecoder) from scratch on CamVid at 180x240,
# 200 iterations, single scale. Compare with
# deeplabv3plus-hmsa_r18-d8_1xb4-200iter_camvid-180x240.
_base_ = ['../demo/deeplabv3plus_r18-d8_1xb4-200iter_camvid-180x240.py']
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
