# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Sequence

from mmengine.dist import get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmseg.registry import HOOKS


def find_class_uniform(dataset):
    """The :class:`ClassUniformDataset` in ``dataset`` or its wrappers."""
    from mmseg_gated.datasets.class_uniform import ClassUniformDataset
    seen = 0
    while dataset is not None and seen < 8:
        if isinstance(dataset, ClassUniformDataset):
            return dataset
        dataset = getattr(dataset, 'dataset', None)
        seen += 1
    return None


@HOOKS.register_module()
class ClassUniformHook(Hook):
    """Switch sub-datasets of a :class:`ClassUniformDataset` off by iteration.

    The authors drop the coarse images from the class-uniform pools after
    ``--max_cu_epoch`` epochs (NVIDIA/semantic-segmentation ``train.py``:
    ``disable_coarse`` then ``build_epoch`` at the start of every later
    epoch). The dataset can do this by itself from an epoch
    (``disable=[dict(dataset=1, after_epoch=150)]``); this hook adds
    iteration counts: before training it turns ``after_iter=n`` into the
    sample index ``n * batch_size * world_size`` (the first sample of
    iteration ``n``, counted from 0, with ``InfiniteSampler(shuffle=False)``)
    and restarts the data loader's workers so that they copy the updated
    dataset. The switch is therefore exact and the same on every worker and
    rank. It also stops a run whose sampler shuffles (the wrapper shuffles
    each epoch itself; a shuffling sampler would mix epochs) and warns when
    the run is longer than the dataset (the draw wraps to epoch 0).

    Args:
        disable (Sequence[dict]): ``dict(dataset=k, after_iter=n)`` or
            ``dict(dataset=k, after_epoch=e)`` items. Default: ().
        check_sampler (bool): Raise when the train sampler shuffles.
            Default: True.
    """
    priority = 'NORMAL'

    def __init__(self,
                 disable: Sequence[dict] = (),
                 check_sampler: bool = True):
        for item in disable:
            keys = set(item) - {'dataset'}
            if len(keys) != 1 or not keys <= {'after_iter', 'after_epoch'}:
                raise ValueError(
                    'each disable item needs dataset and one of after_iter, '
                    f'after_epoch; got {item}')
        self.disable = [dict(d) for d in disable]
        self.check_sampler = check_sampler
        self._switch_iters = {}

    def before_train(self, runner) -> None:
        loop = runner.train_loop
        loader = loop.dataloader
        dataset = find_class_uniform(loader.dataset)
        if dataset is None:
            raise TypeError('ClassUniformHook needs a ClassUniformDataset as '
                            'the train dataset')
        if self.check_sampler and getattr(loader.sampler, 'shuffle', False):
            raise ValueError(
                'ClassUniformDataset shuffles each epoch itself; use '
                "sampler=dict(type='InfiniteSampler', shuffle=False)")
        per_iter = loader.batch_size * get_world_size()
        for item in self.disable:
            if 'after_iter' in item:
                n = int(item['after_iter'])
                dataset.set_disable(item['dataset'], after_sample=n * per_iter)
                self._switch_iters[n] = item['dataset']
            else:
                dataset.set_disable(
                    item['dataset'], after_epoch=item['after_epoch'])
        total = runner.max_iters * per_iter
        if total > len(dataset):
            print_log(
                f'ClassUniformDataset: the run draws {total} samples, the '
                f'dataset has {len(dataset)} ({dataset.num_epochs} epochs); '
                'later samples repeat the draw from epoch 0 (raise '
                'num_epochs)',
                logger='current',
                level=30)
        if self.disable:
            self._restart_workers(loop, loader)

    @staticmethod
    def _restart_workers(loop, loader) -> None:
        """Make the workers copy the dataset as it is now."""
        if loader.num_workers == 0:
            return
        it = getattr(loader, '_iterator', None)
        if it is not None and hasattr(it, '_shutdown_workers'):
            it._shutdown_workers()
        loader._iterator = None
        # InfiniteSampler makes its index generator once; the first workers
        # took some indices already: start again from the first
        sampler = loader.sampler
        if hasattr(sampler, 'indices') and hasattr(sampler,
                                                   '_indices_of_rank'):
            sampler.indices = sampler._indices_of_rank()
        if hasattr(loop, 'dataloader_iterator'):
            loop.dataloader_iterator = type(loop.dataloader_iterator)(loader)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None):
        if runner.iter in self._switch_iters:
            print_log(
                f'ClassUniformHook: dataset '
                f'{self._switch_iters[runner.iter]} is off from iteration '
                f'{runner.iter} on',
                logger='current')
