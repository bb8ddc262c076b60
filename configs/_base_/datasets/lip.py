# LIP (Look Into Person), single-person human parsing: 20 classes
# (0 = Background), 30462 train / 10000 val images, 473x473 as in the
# GSTO / HRNet LIP experiments. Prepare with
#   python tools/dataset_converters/lip.py /path/to/LIP -o data/LIP
# mmseg's LIPDataset reads .jpg images and .png label maps.
# Training follows HRNet's lib/datasets/lip.py (@081bd42 __getitem__) and
# base_dataset.py gen_sample: a horizontal flip with probability 0.5 first
# (their reversed label maps = the left/right labels swapped: arm 14/15,
# leg 16/17, shoe 18/19), then the image is warped to 473x473 (no ratio
# kept; bilinear image, nearest label) as in testing, rescaled by
# s = 0.5 + randint(0, 11) / 10 (12 values, 0.5..1.6; int(473 * s + 0.5)
# pixels a side), padded bottom/right to 473x473 (image 0, label 255) and
# randomly cropped to 473x473; no colour jitter.
dataset_type = 'LIPDataset'
data_root = 'data/LIP'
crop_size = (473, 473)
lip_flip_pairs = [(14, 15), (16, 17), (18, 19)]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomFlip', prob=0.5, swap_seg_labels=lip_flip_pairs),
    dict(type='Resize', scale=crop_size, keep_ratio=False),
    dict(
        type='RandomChoiceResize',
        scales=[(int(473 * (0.5 + k / 10.0) + 0.5), ) * 2 for k in range(12)],
        keep_ratio=True),
    dict(type='Pad', size=crop_size, pad_val=dict(img=0, seg=255)),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(473, 473), keep_ratio=False),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=10,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='train_images', seg_map_path='train_segmentations'),
        ann_file='train.txt',
        pipeline=train_pipeline))
# the val split, one image at a time, in order
val_dataloader = dict(
    train_dataloader,
    batch_size=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        train_dataloader['dataset'],
        data_prefix=dict(
            img_path='val_images', seg_map_path='val_segmentations'),
        ann_file='val.txt',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
# `tools/test.py --tta`: the authors' LIP protocol is one scale without flip
# (GSTO cfg_files/gsto_hrnet_w48_lip.yaml); a plain flip would also need the
# left/right channels swapped back (HRNet lip.py inference), which mmseg's
# SegTTAModel does not do, so the TTA pipeline is the single-scale test
# (tta_model: SegTTAModel, from default_runtime.py).
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[[dict(type='Resize', scale=(473, 473), keep_ratio=False)],
                    [dict(type='LoadAnnotations')],
                    [dict(type='PackSegInputs')]])
]
