# The Cityscapes test-set model (Table 1: 85.4 test mIoU): HRNet-W48 + OCR +
# multi-scale attention on fine train+val and auto-labelled train_extra (the
# authors' sota recipe with train+val, their cv split 3); test-time scales
# 0.5, 1.0, 2.0. An epoch is the 3,475 fine train+val images: 218 iterations
# at 16 x 1, 175 epochs = 38,150 iterations. `tools/test.py` writes the
# label PNGs of the test split to work_dirs/format_results (submit them after
# converting trainIds to labelIds with cityscapesscripts).
_base_ = [
    './ocrnet-hmsa_hr48_16xb1-175e_cityscapes-fine-autocoarse-1024x2048.py',
]
fine_val = dict(
    type='CityscapesDataset',
    data_root='data/cityscapes/',
    data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
    pipeline={{_base_.train_pipeline}})
# fine train + val drawn uniformly (the epoch's size), the auto-labelled
# images as centroids of the boost classes for the whole run (as their code)
train_dataloader = dict(
    dataset=dict(
        datasets=[{{_base_.fine_train}}, fine_val, {{_base_.auto_coarse_train}}
                  ],
        random_datasets=[0, 1],
        centroid_classes=[None, None, {{_base_.coarse_boost_classes}}]))
iters_per_epoch = 218
iters = iters_per_epoch * 175
param_scheduler = [dict(_base_.param_scheduler[0], end=iters)]
train_cfg = dict(max_iters=iters, val_interval=iters_per_epoch * 10)
default_hooks = dict(checkpoint=dict(interval=iters_per_epoch * 10))
test_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='leftImg8bit/test', seg_map_path=''),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
            dict(type='PackSegInputs')
        ]))
# the test split has no labels: the base's flips without LoadAnnotations
# for `--tta`
tta_pipeline = [
    dict(_base_.tta_pipeline[0]),
    dict(
        type='TestTimeAug',
        transforms=[
            step for step in _base_.tta_pipeline[1].transforms
            if step[0].type != 'LoadAnnotations'
        ])
]
test_evaluator = dict(
    type='IoUMetric',
    iou_metrics=['mIoU'],
    format_only=True,
    output_dir='work_dirs/format_results')
