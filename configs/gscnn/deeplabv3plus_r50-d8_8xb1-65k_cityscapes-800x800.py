# Gated-SCNN, Table 3 (ResNet-50), row "Baseline":
# mmseg's DeepLabV3+ (ResNet-50-D8), no auxiliary head, same data, crop,
# schedule and segmentation loss (the authors' per-image class-weighted CE,
# summed over the images) as the Gated-SCNN rows; their baseline training
# code is not released.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/cityscapes_800x800_gscnn.py',
    '../_base_/default_runtime.py', '../_base_/schedules/gscnn_schedule_65k.py'
]
crop_size = (800, 800)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='open-mmlab://resnet50_v1c',
    backbone=dict(depth=50),
    decode_head=dict(
        loss_decode=dict(
            _delete_=True,
            type='ImageBasedCrossEntropyLoss',
            upper_bound=1.0,
            image_reduction='sum',
            loss_weight=1.0)),
    auxiliary_head=None)
