# Cityscapes train + val with HRNet's training pipeline (the same as
# cityscapes_512x1024_hrnet.py: random scale 0.5..2.1 in steps of 0.1 of a
# 2048 long side, pad, 512x1024 crop, flip, no colour jitter), batch 3 per
# GPU; validation, test split and the server's labelIds output as
# cityscapes_trainval.py. HRNet's train.py trains this set as a second stage
# from the train-set model (DATASET.EXTRA_TRAIN_SET, TRAIN.EXTRA_LR).
_base_ = ['./cityscapes_trainval.py']
crop_size = (512, 1024)
# HRNet lib/datasets/cityscapes.py (@6fea3f2 L62-66), as in
# cityscapes_512x1024_hrnet.py
hrnet_cityscapes_class_weight = [
    0.8373, 0.918, 0.866, 1.0345, 1.0166, 0.9969, 0.9754, 1.0489, 0.8786,
    1.0023, 0.9539, 0.9843, 1.1116, 0.9037, 1.0865, 1.0955, 1.0865, 1.1529,
    1.0507
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomChoiceResize',
        scales=[(int(2048 * (0.5 + k / 10.0) + 0.5), ) * 2 for k in range(17)],
        keep_ratio=True),
    dict(type='Pad', size=(1024, 512), pad_val=dict(img=0, seg=255)),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
# the base's train and val sets with this pipeline (a list is replaced, not
# merged)
train_dataloader = dict(
    batch_size=3,
    dataset=dict(datasets=[
        dict(dataset, pipeline=train_pipeline)
        for dataset in _base_.train_dataloader.dataset.datasets
    ]))
