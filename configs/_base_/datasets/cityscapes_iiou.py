# mmseg's Cityscapes (512x1024 crops), evaluated with mIoU and with the
# class / category IoU and iIoU of the benchmark (CityscapesIIoUMetric; a
# clear message when cityscapesscripts is missing).
_base_ = ['mmseg::_base_/datasets/cityscapes.py']
val_evaluator = [
    dict(type='IoUMetric', iou_metrics=['mIoU']),
    dict(type='CityscapesIIoUMetric'),
]
test_evaluator = val_evaluator
