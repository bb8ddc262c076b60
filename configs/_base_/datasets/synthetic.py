# Procedural scenes (SyntheticSegDataset), deterministic from a seed and
# generated once as PNG files into data_root; read with mmseg's standard
# loading transforms, so every mmseg workflow (--show-dir, --tta,
# MMSegInferencer) runs on them.
dataset_type = 'SyntheticSegDataset'
data_root = 'data/synthetic'
img_size = (128, 128)  # (h, w)
crop_size = (96, 96)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(128, 128),
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
# flip-only test-time augmentation at the test size
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[[
            dict(type='RandomFlip', prob=0., direction='horizontal'),
            dict(type='RandomFlip', prob=1., direction='horizontal')
        ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]])
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        num_samples=400,
        img_size=img_size,
        seed=0,
        pipeline=train_pipeline))
# 50 other scenes (seed 1), one image at a time, in order
val_dataloader = dict(
    train_dataloader,
    batch_size=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        train_dataloader['dataset'],
        num_samples=50,
        seed=1,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
