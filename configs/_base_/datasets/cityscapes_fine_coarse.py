# Cityscapes fine train + the ground-truth coarse labels of the 19,998
# "train_extra" images, as the hierarchical multi-scale attention authors
# train (Table 4 "Fine + ground truth coarse labels"; NVIDIA/semantic-
# segmentation scripts/train_cityscapes_sota.yml, datasets/cityscapes.py):
# - an epoch is the 2,975 fine images; half of it (class_uniform_pct 0.5) are
#   crops around a class centroid of a class drawn uniformly (per-image,
#   per-1024-tile centroids, datasets/uniform.py), the rest fine images
#   drawn uniformly;
# - coarse images enter only through the centroids of 13 "coarse boost"
#   classes (--coarse_boost_classes 3,4,6,7,9,11,12,13,14,15,16,17,18) for
#   the whole run: their train.py calls disable_coarse() from epoch 150
#   (--max_cu_epoch 150), but their Loader had extended the fine centroid
#   lists with the coarse ones in place (`self.centroids =
#   self.fine_centroids`, then `.extend`), so restoring `fine_centroids`
#   changes nothing and the run behind their numbers kept the coarse
#   centroids to the end; this base follows that code (to switch coarse off
#   as intended, add `disable=[dict(dataset=1, after_epoch=150)]`);
# - random scale 0.5-2.0 of the 2048x1024 frame, then a 1024x2048 crop
#   (--crop_size 1024,2048): a down-scaled image is padded into the full
#   frame (black image, ignore label), an up-scaled one is cropped around the
#   drawn centroid (CentroidCrop, transforms/joint_transforms.py
#   RandomSizeAndCrop/RandomCrop); horizontal flip; colour jitter 0.25
#   (--color_aug default); no blur (--gblur off for Cityscapes).
# The wrapper shuffles each epoch itself and switches coarse off by sample
# index, so the sampler must not shuffle (InfiniteSampler, shuffle=False);
# each rank then takes a disjoint share. Coarse trainIds come from
# cityscapesscripts' createTrainIdLabelImgs, as for the fine labels.
# `--tta`: horizontal flips only, at the 2048x1024 test size (the multi-scale
# attention models combine their own test scales).
_base_ = ['mmseg::_base_/datasets/cityscapes.py', './tta_flip_2048x1024.py']
dataset_type = 'CityscapesDataset'
data_root = 'data/cityscapes/'
crop_size = (1024, 2048)
tta_pipeline = {{_base_.flip_tta_pipeline}}
# trainIds of wall, fence, traffic light, traffic sign, terrain, person,
# rider, car, truck, bus, train, motorcycle, bicycle
coarse_boost_classes = [3, 4, 6, 7, 9, 11, 12, 13, 14, 15, 16, 17, 18]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 1024),
        ratio_range=(0.5, 2.0),
        keep_ratio=True,
        interpolation='bicubic'),
    dict(type='CentroidCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='ColorJitter',
        brightness=0.25,
        contrast=0.25,
        saturation=0.25,
        hue=0.25),
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
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=False),
    dataset=dict(
        _delete_=True,
        type='ClassUniformDataset',
        datasets=[fine_train, coarse_train],
        num_classes=19,
        uniform_fraction=0.5,
        tile_size=1024,
        # epochs are the size of datasets[0] (fine train), drawn uniformly
        random_datasets=[0],
        # coarse images only as centroids of the boost classes
        centroid_classes=[None, coarse_boost_classes],
        # coarse kept to the end, as their code does (see above)
        disable=[],
        # the dataset's length in epochs: the 175 of the run plus a spare one
        # (186 iterations x 16 draw 2,976 samples per 2,975-sample epoch); a
        # longer run wraps to epoch 0
        num_epochs=176))
