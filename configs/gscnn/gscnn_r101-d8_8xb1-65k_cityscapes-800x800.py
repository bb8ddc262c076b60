# Gated-SCNN, Table 3 (ResNet-101), row "+ Gradients"; also Table 4 row
# "+ Dual Task":
# shape stream with GCLs, Canny image gradients fused into the ASPP, boundary
# BCE (20) and both dual-task regularisers (1, 1).
_base_ = ['./gscnn_r50-d8_8xb1-65k_cityscapes-800x800.py']
model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))
