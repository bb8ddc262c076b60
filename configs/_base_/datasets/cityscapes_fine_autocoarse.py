# Cityscapes fine train + auto-labelled "train_extra" images (hierarchical
# multi-scale attention, Table 4 "Fine + auto-generated coarse labels";
# NVIDIA/semantic-segmentation scripts/train_cityscapes_sota.yml): the
# recipe of ./cityscapes_fine_coarse.py with the pseudo-labels in place of
# the ground-truth coarse labels (centroids of the 13 coarse boost classes
# only, for the whole run as their code does). Make the pseudo-labels with a
# trained teacher first (threshold 0.5, their frame-border mask-out and the
# ground-truth coarse union for classes 14-16, as their loader applies):
#   python tools/autolabel.py TEACHER_CONFIG TEACHER_CKPT \
#       --img-dir data/cityscapes/leftImg8bit/train_extra \
#       --img-suffix _leftImg8bit.png \
#       --out-dir data/cityscapes/autolabel/train_extra \
#       --label-suffix _gtAuto_labelTrainIds.png \
#       --mask-border 15 840 14 2030 \
#       --coarse-dir data/cityscapes/gtCoarse/train_extra \
#       --coarse-suffix _gtCoarse_labelTrainIds.png --coarse-classes 14 15 16
_base_ = ['./cityscapes_fine_coarse.py']
auto_coarse_train = dict(
    type='CityscapesDataset',
    data_root='data/cityscapes/',
    data_prefix=dict(
        img_path='leftImg8bit/train_extra',
        seg_map_path='autolabel/train_extra'),
    seg_map_suffix='_gtAuto_labelTrainIds.png',
    pipeline={{_base_.train_pipeline}})
train_dataloader = dict(
    dataset=dict(datasets=[{{_base_.fine_train}}, auto_coarse_train]))
