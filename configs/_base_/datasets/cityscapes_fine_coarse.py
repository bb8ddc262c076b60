# Cityscapes: fine train labels + the ground-truth coarse labels of the
# 19,998 "train_extra" images, mixed with mmengine's ConcatDataset
# (hierarchical multi-scale attention, Table 4 "Fine + ground truth coarse
# labels"). Coarse trainIds come from cityscapesscripts'
# createTrainIdLabelImgs, as for the fine labels.
_base_ = ['mmseg::_base_/datasets/cityscapes.py']
dataset_type = 'CityscapesDataset'
data_root = 'data/cityscapes/'
crop_size = (1024, 1024)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 1024),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
fine_train = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(
        img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    pipeline=train_pipeline)
coarse_train = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(
        img_path='leftImg8bit/train_extra',
        seg_map_path='gtCoarse/train_extra'),
    seg_map_suffix='_gtCoarse_labelTrainIds.png',
    pipeline=train_pipeline)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[fine_train, coarse_train]))
