# HRNet-OCR + multi-scale attention on Mapillary Vistas v1.2 (65 classes),
# the authors' scripts/train_mapillary.yml: 8 GPUs x 2, 1024x1024 crops,
# lr 5e-3, poly power 1.0, weight decay 1e-4, 200 epochs (225,000
# iterations), RMI, Gaussian blur, class-uniform sampling, no single-scale
# terms (the yml sets no supervised_mscale_loss_wt: 0); evaluated as their
# scripts/eval_mapillary.yml at long edge 2177 with scales 0.25, 0.5, 1.0,
# 2.0 (add `--tta` for their flip). Stage 1 of the Cityscapes models: their
# `load_from` is this run's last checkpoint.
_base_ = [
    '../_base_/models/ocrnet-hmsa_hr48.py',
    '../_base_/datasets/mapillary_v1_hmsa.py',
    '../_base_/schedules/hmsa_schedule_mapillary_8xb2-200e.py',
    '../_base_/default_runtime.py'
]
num_classes = 65
# the model base's two decode heads at this dataset's class count (a list is
# replaced, not merged); `--tta` (flips at the test size) and batch 2 a GPU
# come from the dataset base
model = dict(
    test_scales=(0.25, 0.5, 1.0, 2.0),
    scale_loss_weight=0.0,
    decode_head=[
        dict(head, num_classes=num_classes)
        for head in _base_.model.decode_head
    ])
