# Copyright (c) mmseg_gated contributors. All rights reserved.
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.dist import is_main_process
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmseg.registry import METRICS
from prettytable import PrettyTable

from .boundary_fscore_fast import boundary_fscore_fast, boundary_fscore_torch


@METRICS.register_module()
class BoundaryFScoreMetric(BaseMetric):
    """Boundary F-score (Perazzi et al., DAVIS), as Gated-SCNN reports it
    (Tables 2-4): per class and image, the F-measure of the predicted and
    ground-truth 1-pixel class boundaries matched within ``th`` pixels; the
    F of a class absent from both maps is 1. Scores are averaged over images
    per class, then over classes, and reported in percent as ``mBF@<th>``
    (``mBF@3px`` for pixel thresholds). Usable beside ``IoUMetric``::

        val_evaluator = [dict(type='IoUMetric', iou_metrics=['mIoU']),
                         dict(type='BoundaryFScoreMetric')]

    Ignored ground-truth pixels are removed from both class masks before the
    boundaries are taken, as the authors do. All classes and thresholds are
    computed at once, with class bit-planes dilated by bitwise OR
    (:func:`boundary_fscore_fast`; equal, bit for bit, to the k-d tree
    reference :func:`~.boundary_fscore_reference.boundary_fscore_per_class`)
    or, for predictions on a GPU, with ``max_pool2d`` on the device
    (:func:`boundary_fscore_torch`).

    Args:
        thresholds (Sequence[float]): Distance tolerances, in pixels (>= 1)
            or as a fraction of the image diagonal (< 1; the authors use
            0.00088, 0.001875, 0.00375, 0.005, i.e. 3, 5, 9, 12 px on
            1024x2048). Default: (3, 5, 9, 12).
        ignore_index (int): Ignored label. Default: 255.
        backend (str): 'numpy' (bit-planes on the CPU), 'torch' (on the
            tensors' device) or 'auto' (torch for CUDA predictions, numpy
            otherwise). Default: 'auto'.
        collect_device (str): 'cpu' or 'gpu'. Default: 'cpu'.
        prefix (str, optional): Prefix of the metric names. Default: None.
    """

    def __init__(self,
                 thresholds: Sequence[float] = (3, 5, 9, 12),
                 ignore_index: int = 255,
                 backend: str = 'auto',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if isinstance(thresholds, (int, float)):
            thresholds = (thresholds, )
        thresholds = tuple(float(t) for t in thresholds)
        if not thresholds or any(t <= 0 for t in thresholds):
            raise ValueError('thresholds must be positive numbers, got '
                             f'{thresholds}')
        self.thresholds = thresholds
        self.ignore_index = ignore_index
        if backend not in ('auto', 'numpy', 'torch'):
            raise ValueError("backend must be 'auto', 'numpy' or 'torch', "
                             f'got {backend!r}')
        self.backend = backend

    def _names(self) -> List[str]:
        return [(f'{t:g}px' if t >= 1 else f'{t:g}') for t in self.thresholds]

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Per-class F of every image of the batch (``K x T`` arrays)."""
        num_classes = len(self.dataset_meta['classes'])
        for data_sample in data_samples:
            pred = data_sample['pred_sem_seg']['data'].squeeze()
            gt = data_sample['gt_sem_seg']['data'].squeeze()
            if self.backend == 'torch' or (self.backend == 'auto'
                                           and pred.is_cuda):
                self.results.append(
                    boundary_fscore_torch(pred[None], gt[None], num_classes,
                                          self.thresholds,
                                          self.ignore_index)[0])
            else:
                self.results.append(
                    boundary_fscore_fast(pred.cpu().numpy(),
                                         gt.cpu().numpy(), num_classes,
                                         self.thresholds, self.ignore_index))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Average over images per class, then over classes (percent)."""
        logger: MMLogger = MMLogger.get_current_instance()
        per_class = np.stack(results).mean(axis=0) * 100  # K x T
        names = self._names()
        metrics = OrderedDict()
        for j, name in enumerate(names):
            metrics[f'mBF@{name}'] = float(np.round(per_class[:, j].mean(), 2))
        class_names = self.dataset_meta['classes']
        table = PrettyTable()
        table.add_column('Class', list(class_names))
        for j, name in enumerate(names):
            table.add_column(f'BF@{name}',
                             [round(float(v), 2) for v in per_class[:, j]])
        if is_main_process():
            print_log('per class boundary F-score:', logger)
            print_log('\n' + table.get_string(), logger=logger)
        return metrics
