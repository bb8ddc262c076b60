# GSTO-HRNet-W48 + FCN on Pascal Context 59 (GSTO's Pascal Context
# experiment), same recipe as the HRNetV2-W48 baseline beside it.
_base_ = './fcn_hr48_4xb4-62k_pascal-context-59-480x480.py'
num_classes = 59
# the backbone and the two GSTOAuxHeads of _base_/models/fcn_gsto-hr48.py
# at this dataset's class count (a list is replaced, not merged)
model = dict(
    backbone=dict(type='GSTOOfficialHRNet', num_classes=num_classes),
    auxiliary_head=[
        dict(
            type='GSTOAuxHead',
            in_index=in_index,
            num_classes=num_classes,
            loss_decode=dict(
                type='HRNetCrossEntropyLoss', loss_weight=loss_weight))
        for in_index, loss_weight in ((4, 0.3), (5, 0.5))
    ])
