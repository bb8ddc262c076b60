# CPU check on real data for Gated-SCNN: the baseline, mmseg's DeepLabV3+
# (ResNet-18-D8, from scratch, no auxiliary head) on CamVid at 180x240, 120
# iterations (kept short: the CPU is shared); validation reports mIoU and
# the boundary F-score. Compare with
# gscnn_r18-d8_1xb4-120iter_camvid-180x240.py (same data, schedule, seed).
_base_ = ['../demo/deeplabv3plus_r18-d8_1xb4-200iter_camvid-180x240.py']
model = dict(auxiliary_head=None)
train_pipeline = _base_.train_pipeline
train_pipeline.insert(-1, dict(type='GenerateBoundaryBand', radius=2))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='BoundaryFScoreMetric', thresholds=(3, 5, 9, 12))
]
test_evaluator = val_evaluator

iters = 120
train_cfg = dict(max_iters=iters, val_interval=iters)
default_hooks = dict(checkpoint=dict(interval=iters))
