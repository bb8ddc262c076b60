# GSTO-HRNet-W48 + FCN head: "Our approach" of GSTO Table 1 (train set;
# Cityscapes val 82.1 single scale in the authors' README). Same recipe as the
# HRNetV2 baseline beside it; the backbone gates every fuse path and the
# stage transitions in the authors' layout (GSTOOfficialHRNet, which their
# converted checkpoints load into; type='GSTOHRNet' for Eq. 1-4 as written);
# the stage-2/3 predictions of the supervised gates are trained with weights
# 0.3 / 0.5 through GSTOAuxHead.
_base_ = './fcn_hr48_4xb3-120k_cityscapes-512x1024.py'
num_classes = 19
model = dict(
    backbone=dict(type='GSTOOfficialHRNet', num_classes=num_classes),
    auxiliary_head=[
        dict(
            type='GSTOAuxHead',
            in_index=4,
            num_classes=num_classes,
            loss_decode=dict(
                type='CrossEntropyLoss', loss_weight=0.3,
                avg_non_ignore=True)),
        dict(
            type='GSTOAuxHead',
            in_index=5,
            num_classes=num_classes,
            loss_decode=dict(
                type='CrossEntropyLoss', loss_weight=0.5,
                avg_non_ignore=True)),
    ])
