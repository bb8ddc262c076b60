# CPU check on real data: GSTO-HRNet-W18 + FCN (authors' layout), no
# pretrained weights, CamVid at 180x240, 200 iterations; the supervised
# gates' stage-2/3 predictions are trained with weights 0.3 / 0.5.
_base_ = './fcn_hr18_1xb4-200iter_camvid-180x240.py'
num_classes = 11
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
                type='CrossEntropyLoss',
                loss_weight=loss_weight,
                avg_non_ignore=True))
        for in_index, loss_weight in ((4, 0.3), (5, 0.5))
    ])
