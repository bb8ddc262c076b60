# Copyright (c) mmseg_gated contributors. All rights reserved.
import logging
from collections import Counter
from typing import Iterator, Optional

import torch
import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop
from mmseg.registry import HOOKS

from ...datasets.transforms.skip_bad_samples import SkipBadSamples


class BadSampleLimitError(RuntimeError):
    """More training samples failed to load than ``max_bad_samples``."""


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def _gather(records: list) -> list:
    if not _distributed():
        return list(records)
    gathered = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, list(records))
    return [r for part in gathered for r in part]


def _format(records, limit=20) -> str:
    """One line per file (a file drawn again fails again), in order."""
    times, reasons = Counter(), {}
    for path, reason in records:
        times[path] += 1
        reasons.setdefault(path, reason)
    lines = [
        f'  {path}: {reasons[path]}' + (f' ({n} times)' if n > 1 else '')
        for path, n in list(times.items())[:limit]
    ]
    if len(times) > limit:
        lines.append(f'  ... and {len(times) - limit} more files')
    return '\n'.join(lines)


@HOOKS.register_module()
class BadSampleHook(Hook):
    """Skip training samples whose files fail to load, count them, cap them.

    Off by default: a file that fails to load stops the run (run
    ``tools/check_dataset.py CONFIG`` before a long training to find every
    bad file at once). Enabled, ``tools/train.py`` wraps the training
    pipelines in :class:`~mmseg_gated.datasets.transforms.SkipBadSamples`
    (:func:`setup_bad_sample_skipping`), so
    a sample whose image or label cannot be read (or is truncated) is
    replaced by another through mmengine's refetch mechanism
    (``BaseDataset.max_refetch``). This hook, in the main process, logs each
    skipped file as a warning, prints a summary of the files skipped at the
    end of each epoch (epoch-based loops) or every ``interval`` iterations
    and at the end of training, and stops the run with
    :class:`BadSampleLimitError` (listing the files) once more than
    ``max_bad_samples`` were skipped. In a distributed run the count is
    summed over the ranks every iteration, so all ranks stop together.

    Args:
        enabled (bool): Skip bad samples. Default: False.
        max_bad_samples (int): Most skipped samples the run tolerates.
            Default: 10.
        interval (int): Summary interval in iterations for iteration-based
            loops. Default: 1000.
    """
    priority = 'VERY_HIGH'

    def __init__(self,
                 enabled: bool = False,
                 max_bad_samples: int = 10,
                 interval: int = 1000):
        if max_bad_samples < 0 or interval < 1:
            raise ValueError('max_bad_samples must be >= 0 and interval >= 1,'
                             f' got {max_bad_samples} and {interval}')
        self.enabled = enabled
        self.max_bad_samples = max_bad_samples
        self.interval = interval
        self.total = 0  # skipped samples over all ranks
        self._period = []  # this rank's records since the last summary
        self._period_start = 1
        self._all = []  # this rank's records of the run

    def before_train(self, runner) -> None:
        if not self.enabled:
            return
        dataset = runner.train_dataloader.dataset
        stack, wrapped = [dataset], False
        while stack:
            d = stack.pop()
            stack.extend(getattr(d, 'datasets', []))
            if hasattr(d, 'dataset'):
                stack.append(d.dataset)
            transforms = getattr(
                getattr(d, 'pipeline', None), 'transforms', [])
            wrapped |= any(isinstance(t, SkipBadSamples) for t in transforms)
        if not wrapped:
            raise RuntimeError(
                'BadSampleHook(enabled=True) needs the training pipeline '
                'wrapped in SkipBadSamples before the runner is built: '
                'tools/train.py does it; elsewhere call mmseg_gated.engine.'
                'setup_bad_sample_skipping(cfg) before Runner.from_cfg(cfg).')
        print_log(
            'BadSampleHook: training samples that fail to load are skipped '
            f'(max_bad_samples={self.max_bad_samples}).',
            logger='current')

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if not self.enabled:
            return
        new = []
        samples = data_batch.get('data_samples', []) if isinstance(
            data_batch, dict) else []
        for sample in samples or []:
            meta = getattr(sample, 'metainfo', {})
            new.extend(tuple(r) for r in meta.get('bad_samples', ()))
        if isinstance(data_batch, dict):
            new.extend(tuple(r) for r in data_batch.get('bad_samples', ()))
        count = len(new)
        if _distributed():
            t = torch.tensor([count], dtype=torch.int64)
            if dist.get_backend() == 'nccl':
                t = t.cuda()
            dist.all_reduce(t)
            count = int(t.item())
        self._period.extend(new)
        self._all.extend(new)
        self.total += count
        for path, reason in new:
            print_log(
                f'Skipped a bad training sample at iteration {runner.iter + 1}'
                f': {path} ({reason}); drew another. {self.total} skipped so '
                f'far (max_bad_samples={self.max_bad_samples}).',
                logger='current',
                level=logging.WARNING)
        if self.total > self.max_bad_samples:
            records = _gather(self._all)
            raise BadSampleLimitError(
                f'{self.total} training samples failed to load, more than '
                f'max_bad_samples={self.max_bad_samples}; stopped at '
                f'iteration {runner.iter + 1}. The files:\n'
                f'{_format(records)}\nRun tools/check_dataset.py on the '
                'config to list every problem of the dataset at once.')

    def _summary(self, runner, end: int) -> None:
        records = _gather(self._period)
        if records:
            print_log(
                f'BadSampleHook: {len(records)} bad sample(s) skipped in '
                f'iterations {self._period_start}-{end} ({self.total} in '
                f'the run, max_bad_samples={self.max_bad_samples}):\n'
                f'{_format(records)}',
                logger='current',
                level=logging.WARNING)
        self._period = []
        self._period_start = end + 1

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        if (self.enabled
                and not isinstance(runner.train_loop, EpochBasedTrainLoop)
                and (runner.iter + 1) % self.interval == 0):
            self._summary(runner, runner.iter + 1)

    def after_train_epoch(self, runner) -> None:
        if self.enabled:
            self._summary(runner, runner.iter)


def inner_dataset_cfgs(dataset_cfg) -> Iterator[dict]:
    """The dataset configs that hold pipelines, below dataset wrappers
    (``RepeatDataset``'s ``dataset``, ``ConcatDataset``'s ``datasets``)."""
    if 'dataset' in dataset_cfg:
        yield from inner_dataset_cfgs(dataset_cfg['dataset'])
    elif 'datasets' in dataset_cfg:
        for cfg in dataset_cfg['datasets']:
            yield from inner_dataset_cfgs(cfg)
    else:
        yield dataset_cfg


def bad_sample_hook_cfg(cfg) -> Optional[dict]:
    """The ``BadSampleHook`` entry of ``cfg.custom_hooks`` (or ``None``)."""
    for hook in cfg.get('custom_hooks', None) or []:
        kind = hook.get('type')
        name = kind if isinstance(kind, str) else getattr(kind, '__name__', '')
        if name.split('.')[-1] == 'BadSampleHook':
            return hook
    return None


def setup_bad_sample_skipping(cfg) -> bool:
    """Wrap the training pipelines in :class:`SkipBadSamples` when the
    config's ``BadSampleHook`` is enabled.

    Call before building the runner: data loader workers copy the dataset
    when the train loop is built, before any hook runs.

    Returns:
        bool: Whether skipping is on.
    """
    hook = bad_sample_hook_cfg(cfg)
    if hook is None or not hook.get('enabled', False):
        return False
    train = cfg.get('train_dataloader') or {}
    for dataset in inner_dataset_cfgs(train.get('dataset', {})):
        pipeline = dataset.get('pipeline')
        if not pipeline or (isinstance(pipeline[0], dict) and str(
                pipeline[0].get('type')).endswith('SkipBadSamples')):
            continue
        dataset['pipeline'] = [
            dict(type='SkipBadSamples', transforms=list(pipeline))
        ]
    return True
