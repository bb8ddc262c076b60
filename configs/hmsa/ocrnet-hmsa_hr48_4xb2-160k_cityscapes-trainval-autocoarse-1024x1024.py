# The Cityscapes test-set model (Table 1: 85.4 test mIoU): HRNet-W48 + OCR +
# multi-scale attention on fine train+val and auto-labelled train_extra;
# test-time scales 0.5, 1.0, 2.0. `tools/test.py` writes the label PNGs of
# the test split to work_dirs/format_results (submit them after converting
# trainIds to labelIds with cityscapesscripts).
_base_ = [
    './ocrnet-hmsa_hr48_4xb2-160k_cityscapes-fine-autocoarse-1024x1024.py',
]
# fine train + val + the auto-labelled train_extra images
train_dataloader = dict(
    dataset=dict(datasets=[
        {{_base_.fine_train}},
        dict(
            type='CityscapesDataset',
            data_root='data/cityscapes/',
            data_prefix=dict(
                img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
            pipeline={{_base_.train_pipeline}}),
        {{_base_.auto_coarse_train}},
    ]))
test_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='leftImg8bit/test', seg_map_path=''),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
            dict(type='PackSegInputs')
        ]))
# the test split has no labels: flips without LoadAnnotations for `--tta`
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [dict(type='Resize', scale=(2048, 1024), keep_ratio=True)],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ], [dict(type='PackSegInputs')]
        ])
]
test_evaluator = dict(
    type='IoUMetric',
    iou_metrics=['mIoU'],
    format_only=True,
    output_dir='work_dirs/format_results')
