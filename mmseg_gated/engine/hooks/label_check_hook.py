# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS


@HOOKS.register_module()
class LabelCheckHook(Hook):
    """Stop on label values outside ``0..num_classes-1`` and ``ignore_index``.

    A wrong label (a CamVid void class not mapped, a converter writing colour
    ids) otherwise surfaces as ``IndexError: Target 12 is out of bounds``
    with no file name, or as a device-side assert on a GPU. This hook looks
    at each batch as the data loader delivers it (on the CPU, before the
    model sees it) and raises a :class:`ValueError` naming the label files
    and the bad values. The check is one ``unique`` per label map; disable
    it with ``enabled=False`` (or remove the hook) when every cycle counts.

    Args:
        num_classes (int, optional): Valid labels are ``0..num_classes-1``.
            Default: the length of the dataset's ``classes``, else the decode
            head's ``num_classes``.
        ignore_index (int, optional): The label that marks ignored pixels.
            Default: the decode head's ``ignore_index``, else 255.
        enabled (bool): Run the check. Default: True.
        check_val (bool): Check validation and test batches too.
            Default: True.
    """
    priority = 'VERY_HIGH'

    def __init__(self,
                 num_classes: Optional[int] = None,
                 ignore_index: Optional[int] = None,
                 enabled: bool = True,
                 check_val: bool = True):
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.enabled = enabled
        self.check_val = check_val
        self._limits = {}

    def _resolve(self, runner, dataloader):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        head = getattr(model, 'decode_head', None)
        if isinstance(head, (list, tuple, torch.nn.ModuleList)):
            head = head[-1]
        num_classes = self.num_classes
        if num_classes is None:
            classes = getattr(dataloader.dataset, 'metainfo',
                              {}).get('classes')
            num_classes = len(classes) if classes else getattr(
                head, 'num_classes', None)
        ignore_index = self.ignore_index
        if ignore_index is None:
            ignore_index = getattr(head, 'ignore_index', 255)
        return num_classes, ignore_index

    def _check(self, data_batch, num_classes, ignore_index):
        if not self.enabled or num_classes is None or not isinstance(
                data_batch, dict):
            return
        bad = []
        for sample in data_batch.get('data_samples', []):
            gt = getattr(sample, 'gt_sem_seg', None)
            if gt is None:
                continue
            values = torch.unique(gt.data)
            wrong = values[((values < 0) | (values >= num_classes))
                           & (values != ignore_index)]
            if wrong.numel():
                bad.append((sample.metainfo.get('seg_map_path',
                                                '?'), wrong.tolist()))
        if bad:
            files = '; '.join(f'{path}: {values}' for path, values in bad)
            raise ValueError(
                f'label values outside 0..{num_classes - 1} (and not '
                f'ignore_index={ignore_index}) in {files}. Check the '
                "dataset's label conversion (reduce_zero_label, label_map, "
                "classes). LabelCheckHook(enabled=False) turns this check "
                'off.')

    def before_train(self, runner) -> None:
        self._limits['train'] = self._resolve(runner, runner.train_dataloader)

    def before_val(self, runner) -> None:
        self._limits['val'] = self._resolve(runner, runner.val_dataloader)

    def before_test(self, runner) -> None:
        self._limits['test'] = self._resolve(runner, runner.test_dataloader)

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self._check(data_batch, *self._limits['train'])

    def before_val_iter(self, runner, batch_idx, data_batch=None) -> None:
        if self.check_val:
            self._check(data_batch, *self._limits['val'])

    def before_test_iter(self, runner, batch_idx, data_batch=None) -> None:
        if self.check_val:
            self._check(data_batch, *self._limits['test'])
