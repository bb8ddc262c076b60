# Gated-SCNN, Table 3 (Wide-ResNet), row "+ GCL": as the GSCNN WRN-38 config
# without the image gradients.
_base_ = ['./gscnn_wrn38-a2_8xb1-65k_cityscapes-800x800.py']
model = dict(decode_head=dict(use_gradients=False))
