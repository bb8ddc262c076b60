# Copyright (c) mmseg_gated contributors. All rights reserved.
import os.path as osp
import shutil
import tempfile
from collections import OrderedDict
from typing import Dict, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmseg.evaluation.metrics import CityscapesMetric
from mmseg.registry import METRICS

MISSING_MSG = (
    'Cityscapes iIoU needs the official cityscapesscripts package, which is '
    'not installed: run "pip install cityscapesscripts" (or install '
    'mmseg_gated with the [cityscapes] extra). Without it only the metrics '
    'of the other evaluators (e.g. mIoU from IoUMetric) are reported.')


def _cityscapes_eval():
    """The cityscapesscripts evaluation module, or None when absent."""
    try:
        import cityscapesscripts.evaluation.evalPixelLevelSemanticLabeling as CSEval  # noqa: E501
        import cityscapesscripts.helpers.labels  # noqa: F401
    except ImportError:
        return None
    return CSEval


@METRICS.register_module()
class CityscapesIIoUMetric(CityscapesMetric):
    """Cityscapes class/category IoU and instance-level iIoU, the four
    columns of GSTO Table 1 (mIoU, iIoU cla., IoU cat., iIoU cat.).

    mmseg's :class:`CityscapesMetric` writes the predictions as labelIds
    PNGs and runs the official ``cityscapesscripts`` evaluation, but reports
    only the category scores and fails to build when the package is missing.
    This metric reports all four averages and makes the package optional:
    when it is absent and ``strict`` is False, it logs one clear message and
    contributes no metric, so a config can list it beside ``IoUMetric`` and
    still run anywhere; with ``strict=True`` it raises ImportError with the
    same message. The ground truth is read from the ``*_gtFine_labelIds.png``
    (and ``*_gtFine_instanceIds.png`` for iIoU) files next to the
    ``labelTrainIds`` maps, as in mmseg.

    Args:
        output_dir (str, optional): Where prediction PNGs are written; a
            temporary folder when None. Default: None.
        strict (bool): Raise when cityscapesscripts is missing instead of
            skipping. Default: False.
        ignore_index (int): Ignored label. Default: 255.
        format_only (bool): Only write results (test-server submission).
            Default: False.
        keep_results (bool): Keep the written PNGs. Default: False.
        collect_device (str): 'cpu' or 'gpu'. Default: 'cpu'.
        prefix (str, optional): Metric name prefix. Default: None.
    """

    def __init__(self,
                 output_dir: Optional[str] = None,
                 strict: bool = False,
                 ignore_index: int = 255,
                 format_only: bool = False,
                 keep_results: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        if format_only and not keep_results:
            raise ValueError('format_only=True needs keep_results=True, got '
                             f'keep_results={keep_results}')
        self.cs_eval = _cityscapes_eval()
        self.available = self.cs_eval is not None
        if self.available:
            # mmseg's __init__ makes the output folder on the main process
            super().__init__(
                output_dir=output_dir
                or tempfile.mkdtemp(prefix='cityscapes_iiou_'),
                ignore_index=ignore_index,
                format_only=format_only,
                keep_results=keep_results,
                collect_device=collect_device,
                prefix=prefix,
                **kwargs)
            return
        if strict:
            raise ImportError(MISSING_MSG)
        # mmseg's __init__ raises without cityscapesscripts, so only the
        # BaseMetric part is set up: this metric then reports nothing.
        BaseMetric.__init__(self, collect_device=collect_device, prefix=prefix)
        self.output_dir = output_dir
        self.ignore_index = ignore_index
        self.format_only = format_only
        self.keep_results = keep_results
        print_log(MISSING_MSG, logger='current', level=30)

    def __del__(self) -> None:
        if getattr(self, 'available', False) and not self.keep_results \
                and self.output_dir and osp.isdir(self.output_dir):
            shutil.rmtree(self.output_dir, ignore_errors=True)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        if not self.available:
            return
        super().process(data_batch, data_samples)

    def evaluate(self, size: int) -> dict:
        if not self.available:
            return {}
        return super().evaluate(size)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Run cityscapesscripts; return the four averages (in %)."""
        if self.format_only:
            print_log(f'results are saved to {self.output_dir}', 'current')
            return OrderedDict()
        args = self.cs_eval.args
        args.evalInstLevelScore = True
        args.predictionPath = osp.abspath(self.output_dir)
        args.evalPixelAccuracy = True
        args.JSONOutput = False
        pred_list, gt_list = zip(*results)
        res = self.cs_eval.evaluateImgLists(pred_list, gt_list, args)
        keys = dict(
            IoU_cla='averageScoreClasses',
            iIoU_cla='averageScoreInstClasses',
            IoU_cat='averageScoreCategories',
            iIoU_cat='averageScoreInstCategories')
        return OrderedDict(
            (name, float(res[key]) * 100) for name, key in keys.items())
