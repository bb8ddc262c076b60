# CamVid, 11 classes, full resolution (720x960), as written by
# tools/dataset_converters/camvid.py: data/camvid_full/{images,labels}/*.png
# with splits/{train,val,test}.txt (one basename per line).
_base_ = ['./camvid.py']
data_root = 'data/camvid_full'
img_scale = (960, 720)  # (w, h)
crop_size = (720, 720)  # (h, w), DDSM Table 4
# the base's pipelines at this size
train_pipeline = _base_.train_pipeline
train_pipeline[2].update(scale=img_scale)  # RandomResize
train_pipeline[3].update(crop_size=crop_size)  # RandomCrop
test_pipeline = _base_.test_pipeline
test_pipeline[1].update(scale=img_scale)  # Resize
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img_path='images', seg_map_path='labels'),
        ann_file='splits/train.txt',
        img_suffix='.png',
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        train_dataloader['dataset'],
        ann_file='splits/val.txt',
        pipeline=test_pipeline))
test_dataloader = dict(
    dataset=dict(val_dataloader['dataset'], ann_file='splits/test.txt'))
