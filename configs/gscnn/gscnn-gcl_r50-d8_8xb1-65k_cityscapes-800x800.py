# Gated-SCNN, Table 3 (ResNet-50), row "+ GCL": shape stream with GCLs
# trained with the dual-task loss, no image gradients (the boundary map alone
# enters the ASPP).
_base_ = ['./gscnn_r50-d8_8xb1-65k_cityscapes-800x800.py']
model = dict(decode_head=dict(use_gradients=False))
