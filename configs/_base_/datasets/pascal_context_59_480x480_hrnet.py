# Pascal Context, 59 classes (background ignored: mmseg's reduce_zero_label,
# HRNet's label - 1 with -1 ignored), with HRNet's training pipeline
# (HRNet-Semantic-Segmentation lib/datasets/base_dataset.py gen_sample,
# experiments/pascal_ctx/seg_hrnet_w48_cls59_480x480_*.yaml): a random scale
# s = 0.5 + randint(0, 16) / 10 of a 520 long side (ratio kept), padded
# bottom/right to 480x480 (image 0, label ignored), a uniform random 480x480
# crop, flip 0.5, no colour jitter. Test as mmseg's pascal_context_59.py
# (long side 520; the model config sets the 480/320 sliding window).
_base_ = ['mmseg::_base_/datasets/pascal_context_59.py']
crop_size = (480, 480)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(
        type='RandomChoiceResize',
        scales=[(int(520 * (0.5 + k / 10.0) + 0.5), ) * 2 for k in range(17)],
        keep_ratio=True),
    dict(type='Pad', size=(480, 480), pad_val=dict(img=0, seg=255)),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
