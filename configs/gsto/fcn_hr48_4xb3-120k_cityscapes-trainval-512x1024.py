# HRNetV2-W48 + FCN learned on train+val: the "HRNetV2" row of GSTO Table 1,
# "Model learned on the train+valid set". Tested on the test set with
# multi-scale (0.5-1.75) + flip (``tools/test.py ... --tta``); the evaluator
# writes labelIds PNGs for the server (needs cityscapesscripts).
_base_ = './fcn_hr48_4xb3-120k_cityscapes-512x1024.py'
dataset_type = 'CityscapesDataset'
data_root = 'data/cityscapes/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 1024),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=(512, 1024), cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type=dataset_type,
                data_root=data_root,
                data_prefix=dict(
                    img_path='leftImg8bit/train',
                    seg_map_path='gtFine/train'),
                pipeline=train_pipeline),
            dict(
                type=dataset_type,
                data_root=data_root,
                data_prefix=dict(
                    img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
                pipeline=train_pipeline),
        ]))
test_dataloader = dict(
    dataset=dict(
        data_prefix=dict(
            img_path='leftImg8bit/test', seg_map_path='gtFine/test')))
test_evaluator = [
    dict(
        type='CityscapesIIoUMetric',
        format_only=True,
        keep_results=True,
        output_dir='work_dirs/format_results')
]
