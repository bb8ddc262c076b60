# GSTO-HRNet-W48 + FCN head ("Our approach" of GSTO Table 1): HRNetV2-W48
# whose fuse paths and stage transitions are gated in the authors' layout
# (GSTOOfficialHRNet, which their converted checkpoints load into; use
# type='GSTOHRNet' for Eq. 1-4 as written). The supervised gates' stage-2
# and stage-3 class predictions (backbone outputs 4 and 5) are trained with
# weights 0.3 / 0.5 (their FullModel: loss4 + 0.5 * loss3 + 0.3 * loss2,
# the same criterion on every output) through two GSTOAuxHeads. 19 classes
# (Cityscapes): other datasets set num_classes in the backbone and in all
# three heads.
_base_ = ['./fcn_hr48.py']
model = dict(
    backbone=dict(type='GSTOOfficialHRNet', num_classes=19),
    auxiliary_head=[
        dict(
            type='GSTOAuxHead',
            in_index=in_index,
            num_classes=19,
            loss_decode=dict(
                type='HRNetCrossEntropyLoss', loss_weight=loss_weight))
        for in_index, loss_weight in ((4, 0.3), (5, 0.5))
    ])
