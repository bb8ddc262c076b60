# GSTO-HRNet-W48 + FCN head: "Our approach" of GSTO Table 1 (train set;
# Cityscapes val 82.1 single scale in the authors' README). The HRNet
# Cityscapes recipe of the baseline beside it (recipe table in README.md);
# the backbone gates every fuse path and the stage transitions in the
# authors' layout (GSTOOfficialHRNet, which their converted checkpoints load
# into; type='GSTOHRNet' for Eq. 1-4 as written). The same class-weighted
# cross-entropy (HRNet's Cityscapes weights, their checkpoint's
# loss.criterion.weight) on the final logits (1.0) and on the supervised
# gates' stage-3 (0.5) and stage-2 (0.3) predictions; no OHEM (authors'
# README: the train-set model is without OHEM).
_base_ = [
    '../_base_/models/fcn_gsto-hr48.py',
    '../_base_/datasets/cityscapes_512x1024_hrnet.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
class_weight = {{_base_.hrnet_cityscapes_class_weight}}
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(loss_decode=dict(class_weight=class_weight)),
    auxiliary_head=[
        dict(
            type='GSTOAuxHead',
            in_index=in_index,
            num_classes=19,
            loss_decode=dict(
                type='HRNetCrossEntropyLoss',
                class_weight=class_weight,
                loss_weight=loss_weight))
        for in_index, loss_weight in ((4, 0.3), (5, 0.5))
    ])
