# CamVid (SegNet layout) at half resolution (180x240), for CPU checks.
_base_ = ['./camvid.py']
img_scale = (240, 180)  # (w, h)
crop_size = (180, 240)  # (h, w)
# the base's pipelines at this size
train_pipeline = _base_.train_pipeline
train_pipeline[2].update(scale=img_scale, ratio_range=(0.75, 1.5))  # resize
train_pipeline[3].update(crop_size=crop_size)  # RandomCrop
test_pipeline = _base_.test_pipeline
test_pipeline[1].update(scale=img_scale)  # Resize
# TTA ratios relative to the 180x240 test size (the base's scale_factor
# ratios would apply to the 360x480 files: 1x-3.5x the test size here)
img_ratios = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [
                dict(
                    type='Resize',
                    scale=(int(img_scale[0] * r), int(img_scale[1] * r)),
                    keep_ratio=True) for r in img_ratios
            ],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]
        ])
]
train_dataloader = dict(
    batch_size=4, num_workers=1, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=1, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
