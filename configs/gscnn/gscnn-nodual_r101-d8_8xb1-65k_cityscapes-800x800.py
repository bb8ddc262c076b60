# Gated-SCNN, Table 4 (ResNet-101), row "GCL": the GCL shape stream (with
# image gradients) trained without the dual-task regularisers (Eq. 5-6);
# boundary BCE and segmentation CE only.
_base_ = ['./gscnn_r101-d8_8xb1-65k_cityscapes-800x800.py']
model = dict(
    decode_head=dict(loss_dual_boundary=None, loss_dual_consistency=None))
