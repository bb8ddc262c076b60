# Cityscapes (fine, 19 classes) as HRNet's training code reads it, the
# recipe GSTO trains with (HRNet-Semantic-Segmentation @081bd42,
# lib/datasets/base_dataset.py gen_sample / multi_scale_aug / rand_crop):
# a random scale s = 0.5 + randint(0, 16) / 10 (17 values, 0.5..2.1), the
# long side resized to int(2048 * s + 0.5) keeping the ratio (bilinear
# image, nearest label), padded bottom/right to 512x1024 (image 0 before
# normalisation, label 255), a uniform random 512x1024 crop (no category
# ratio check) and a horizontal flip with probability 0.5; no colour
# jitter. Batch 3 per GPU. Validation: whole 2048x1024 images, mIoU plus the
# benchmark's iIoU metrics (cityscapes_iiou.py).
_base_ = ['./cityscapes_iiou.py']
crop_size = (512, 1024)
# the class weights of HRNet's lib/datasets/cityscapes.py (@6fea3f2 L62-66),
# which their train.py hands to the loss (GSTO's checkpoints carry them as
# loss.criterion.weight); configs pass them to HRNetCrossEntropyLoss
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
train_dataloader = dict(batch_size=3, dataset=dict(pipeline=train_pipeline))
