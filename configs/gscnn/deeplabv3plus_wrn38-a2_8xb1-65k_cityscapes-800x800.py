# Gated-SCNN, Table 1 row "DeepLabV3+" (also Table 2 "DeepLabV3+" and
# Table 3, Wide-ResNet, "Baseline"): mmseg's DeepLabV3+ head on WiderResNet-38
# A2 (output stride 8): ASPP on mod7 (4096 ch), fine feature mod2 (128 ch,
# stride 2), align_corners=True as the authors' WRN networks. Same data,
# crop, schedule and segmentation loss (the authors' per-image
# class-weighted CE, summed over the images) as the GSCNN WRN-38 config;
# their baseline training code is not released.
_base_ = [
    '../_base_/models/deeplabv3plus_wrn38-a2.py',
    '../_base_/datasets/cityscapes_800x800_gscnn.py',
    '../_base_/default_runtime.py', '../_base_/schedules/gscnn_schedule_65k.py'
]
crop_size = (800, 800)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(
        loss_decode=dict(
            _delete_=True,
            type='ImageBasedCrossEntropyLoss',
            upper_bound=1.0,
            image_reduction='sum',
            loss_weight=1.0)))
