# DDSM paper, Table 2, row "Ours": boundary F-score (thresholds 3, 5, 9,
# 12 px) and mIoU on Cityscapes val of the Table 1 model
# upernet-ddsm-sc_r50_4xb2-80k_cityscapes-1024x1024.py (same training).
_base_ = './upernet-ddsm-sc_r50_4xb2-80k_cityscapes-1024x1024.py'
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='BoundaryFScoreMetric', thresholds=(3, 5, 9, 12))
]
test_evaluator = val_evaluator
