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
    # the model base's two GSTOAuxHeads with the class weights (a list is
    # replaced, not merged)
    auxiliary_head=[
        dict(
            head,
            loss_decode=dict(head.loss_decode, class_weight=class_weight))
        for head in _base_.model.auxiliary_head
    ])
