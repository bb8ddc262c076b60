# CamVid, 11 classes, full resolution (720x960), as written by
# tools/dataset_converters/camvid.py: data/camvid_full/{images,labels}/*.png
# with splits/{train,val,test}.txt (one basename per line).
_base_ = ['./camvid.py']
data_root = 'data/camvid_full'
img_scale = (960, 720)  # (w, h)
crop_size = (720, 720)  # (h, w), DDSM Table 4
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=img_scale,
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img_path='images', seg_map_path='labels'),
        ann_file='splits/train.txt',
        img_suffix='.png',
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img_path='images', seg_map_path='labels'),
        ann_file='splits/val.txt',
        img_suffix='.png',
        pipeline=test_pipeline))
test_dataloader = dict(
    dataset=dict(val_dataloader['dataset'], ann_file='splits/test.txt'))
