# GSTO-HRNet-W48 + FCN on LIP (GSTO's LIP experiment), same recipe as the
# HRNetV2-W48 baseline beside it.
_base_ = './fcn_hr48_4xb10-110k_lip-473x473.py'
num_classes = 20
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
