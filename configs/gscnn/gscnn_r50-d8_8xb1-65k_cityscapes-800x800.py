# Gated-SCNN, Table 3 (ResNet-50), row "+ Gradients":
# shape stream with GCLs, Canny image gradients fused into the ASPP, boundary
# BCE (20) and both dual-task regularisers (1, 1).
_base_ = [
    '../_base_/models/gscnn_r50-d8.py',
    '../_base_/datasets/cityscapes_800x800_gscnn.py',
    '../_base_/default_runtime.py', '../_base_/schedules/gscnn_schedule_65k.py'
]
crop_size = (800, 800)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='open-mmlab://resnet50_v1c',
    backbone=dict(depth=50))
