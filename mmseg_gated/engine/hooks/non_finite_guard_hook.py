# Copyright (c) mmseg_gated contributors. All rights reserved.
import functools
import logging
import math
import os.path as osp
from typing import List

import torch
import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmseg.registry import HOOKS


class NonFiniteError(RuntimeError):
    """Training stopped on a non-finite loss, gradient norm or weights."""


class _NonFiniteGradNorm(Exception):
    """Raised inside ``OptimWrapper.step`` to leave out ``optimizer.step``."""

    def __init__(self, value: float):
        super().__init__(value)
        self.value = value


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def _all_reduce_max(values: List[float]) -> List[float]:
    """Element-wise maximum of ``values`` over all ranks (a no-op alone)."""
    if not _distributed():
        return values
    t = torch.tensor(values, dtype=torch.float64)
    if dist.get_backend() == 'nccl':
        t = t.cuda()
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return t.cpu().tolist()


@HOOKS.register_module()
class NonFiniteGuardHook(Hook):
    """Stop a diverging run at once, without saving non-finite weights.

    After each training iteration the hook looks at the total loss, every
    logged loss term (the ``outputs`` of ``train_step``) and, without AMP,
    the gradient norm where the optimizer wrapper computes it
    (``optim_wrapper.clip_grad=dict(max_norm=...)``). A non-finite value
    raises :class:`NonFiniteError` naming the iteration, the terms, the
    learning rate and the last checkpoint saved (which is finite, see
    below). Under AMP (a wrapper with a ``loss_scaler``, e.g. mmengine's
    ``AmpOptimWrapper``) a non-finite gradient is the loss scaler's business,
    a skipped step rather than a failure; only a non-finite loss counts.

    How the update of a non-finite iteration is left out: the hook has no
    event between ``backward`` and ``optimizer.step`` (``after_train_iter``
    comes after the update), so in ``before_train`` it guards the runner's
    optimizer wrapper instance (every wrapper of an ``OptimWrapperDict``;
    any subclass, ``AmpOptimWrapper`` included) instead of requiring another
    wrapper type in every schedule config:

    - ``update_params(loss)`` records whether the loss is finite (a flag on
      the loss's device, or-ed over gradient-accumulation steps) and then
      runs the wrapper's own ``update_params`` (backward, step, zero_grad);
    - ``step()`` reads the flag (one device synchronisation, like the AMP
      scaler's own ``found_inf`` check), all-reduces it in a distributed
      run so every rank takes the same decision, and on a non-finite loss
      returns without stepping: parameters, optimizer state (momentum) and
      loss scale stay as they were, and ``zero_grad`` discards the
      gradients;
    - without AMP, ``clip_func`` (the norm clipping mmengine calls inside
      ``step``) raises on a non-finite norm before ``optimizer.step`` runs,
      so that update is left out too. Under data parallelism the gradients
      are all-reduced, so every rank sees the same norm.

    A non-finite iteration therefore never changes the weights: with
    ``patience=1`` (default) the run stops with the weights of the previous
    iteration; with ``patience=N`` up to ``N - 1`` consecutive non-finite
    iterations are skipped with a warning (the rare fp16 spike) and the
    N-th stops the run. The wrapper's methods are restored after training;
    a healthy run's updates are unchanged bit for bit.

    Checkpoints: the hook runs ``after_train_iter`` before
    ``CheckpointHook`` (priority 65 < 90), so the stop happens before that
    iteration's save; and ``before_save_checkpoint`` refuses to write any
    checkpoint whose weights or buffers are not finite, so every checkpoint
    of the run (and ``last_checkpoint``) holds finite weights.

    In a distributed run the per-iteration decision is all-reduced, so all
    ranks stop after the same iteration.

    Args:
        patience (int): Stop after this many consecutive non-finite
            iterations; the updates of the ones before are skipped.
            Default: 1 (stop at the first).
        enabled (bool): Run the checks. ``False`` leaves the run exactly as
            without the hook. Default: True.
    """
    # after LoggerHook (60, so the iteration's log line is printed), before
    # ParamSchedulerHook (70, so the reported lr is this iteration's) and
    # CheckpointHook (90)
    priority = 65

    def __init__(self, patience: int = 1, enabled: bool = True):
        if int(patience) < 1:
            raise ValueError(f'patience must be >= 1, got {patience}')
        self.patience = int(patience)
        self.enabled = enabled
        self._guarded = []  # (wrapper, its instance attributes before)
        self._pending = None  # loss non-finite since the last step (tensor)
        self._skipped = False  # this iteration's update was left out
        self._bad_grad = None  # the non-finite gradient norm of this iter
        self._consecutive = 0
        self._iter_lr = None  # the lr of the last iteration, as a string

    # -- the optimizer wrapper guard ---------------------------------------
    def _wrappers(self, runner) -> List[OptimWrapper]:
        wrapper = getattr(runner, 'optim_wrapper', None)
        if isinstance(wrapper, OptimWrapperDict):
            return [w for w in wrapper.values() if isinstance(w, OptimWrapper)]
        return [wrapper] if isinstance(wrapper, OptimWrapper) else []

    @staticmethod
    def _is_amp(wrapper) -> bool:
        return hasattr(wrapper, 'loss_scaler')

    def _guard(self, wrapper: OptimWrapper) -> None:
        update_params, step = wrapper.update_params, wrapper.step
        guard = self
        # instance attributes set by others (mmengine's parameter schedulers
        # wrap ``step`` with a call counter), put back by _unguard
        saved = {
            name: wrapper.__dict__.get(name)
            for name in ('update_params', 'step', 'clip_func')
        }

        @functools.wraps(update_params)
        def guarded_update_params(loss, *args, **kwargs):
            bad = ~torch.isfinite(loss.detach()).all()
            guard._pending = bad if guard._pending is None else (guard._pending
                                                                 | bad)
            return update_params(loss, *args, **kwargs)

        @functools.wraps(step)  # keeps the schedulers' `_with_counter`
        def guarded_step(**kwargs):
            pending, guard._pending = guard._pending, None
            flag = float(pending.item()) if pending is not None else 0.
            if _all_reduce_max([flag])[0]:
                guard._skipped = True
                return
            try:
                return step(**kwargs)
            except _NonFiniteGradNorm as e:
                guard._skipped = True
                guard._bad_grad = e.value
                wrapper.message_hub.update_scalar(f'train/{wrapper.grad_name}',
                                                  e.value)

        wrapper.update_params = guarded_update_params
        wrapper.step = guarded_step
        clip_func = None
        if (not self._is_amp(wrapper) and wrapper.clip_grad_kwargs
                and getattr(wrapper, 'grad_name', None) == 'grad_norm'):
            clip_func = wrapper.clip_func

            def guarded_clip_func(*args, **kwargs):
                norm = clip_func(*args, **kwargs)
                if norm is not None and not torch.isfinite(norm).all():
                    raise _NonFiniteGradNorm(float(norm))
                return norm

            wrapper.clip_func = guarded_clip_func
        self._guarded.append((wrapper, saved))

    def _unguard(self) -> None:
        for wrapper, saved in self._guarded:
            for name, value in saved.items():
                if value is None:
                    wrapper.__dict__.pop(name, None)
                else:
                    setattr(wrapper, name, value)
        self._guarded = []

    # -- hook events --------------------------------------------------------
    def before_train(self, runner) -> None:
        if not self.enabled or self._guarded:
            return
        wrappers = self._wrappers(runner)
        if not wrappers:
            print_log(
                'NonFiniteGuardHook: no mmengine OptimWrapper to guard; '
                'non-finite losses still stop the run, but the update of '
                'that iteration is applied.',
                logger='current')
        for wrapper in wrappers:
            self._guard(wrapper)

    def after_train(self, runner) -> None:
        self._unguard()

    def after_run(self, runner) -> None:
        self._unguard()

    @staticmethod
    def _loss_terms(outputs) -> dict:
        terms = {}
        if isinstance(outputs, dict):
            for key, value in outputs.items():
                if 'loss' not in key:
                    continue
                if isinstance(value, torch.Tensor):
                    if value.numel() != 1:
                        value = value.float().mean()
                    value = value.item()
                if isinstance(value, (int, float)):
                    terms[key] = float(value)
        return terms

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        if not self.enabled:
            return
        # before ParamSchedulerHook steps it: this iteration's lr (for a
        # refused save later in this iteration too)
        self._iter_lr = self._lr(runner)
        terms = self._loss_terms(outputs)
        bad_terms = {k: v for k, v in terms.items() if not math.isfinite(v)}
        skipped, bad_grad = self._skipped, self._bad_grad
        self._skipped, self._bad_grad = False, None
        flags = _all_reduce_max([
            float(bool(bad_terms)),
            float(bad_grad is not None),
            float(skipped)
        ])
        if not any(flags):
            self._consecutive = 0
            return
        if _distributed():  # name the terms seen on any rank
            gathered = [None] * dist.get_world_size()
            dist.all_gather_object(gathered, (bad_terms, bad_grad))
            for terms_r, grad_r in gathered:
                for key, value in terms_r.items():
                    bad_terms.setdefault(key, value)
                if bad_grad is None and grad_r is not None:
                    bad_grad = grad_r
        self._consecutive += 1
        it = runner.iter + 1
        found = [f'{k}={v}' for k, v in bad_terms.items()]
        if bad_grad is not None:
            found.append(f'grad_norm={bad_grad}')
        if not found:  # skipped on another rank's loss only
            found.append('the total loss on another rank')
        what = ', '.join(found)
        lr = self._iter_lr
        applied = ('was not applied' if skipped or flags[2] else 'was applied')
        if self._consecutive < self.patience:
            print_log(
                f'NonFiniteGuardHook: non-finite {what} at iteration {it} '
                f'(lr={lr}); its update was skipped '
                f'({self._consecutive} of patience={self.patience} '
                'consecutive).',
                logger='current',
                level=logging.WARNING)
            return
        streak = (f' ({self._consecutive} consecutive iterations, '
                  f'patience={self.patience})' if self.patience > 1 else '')
        last = self._last_checkpoint(runner)
        raise NonFiniteError(
            f'Training diverged: non-finite {what} at iteration {it}'
            f'{streak}, lr={lr}. The update of this iteration {applied} and '
            f'no checkpoint was saved after it; {last}. '
            'NonFiniteGuardHook(patience=N) skips up to N-1 consecutive '
            'non-finite iterations; enabled=False turns the check off.')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if not self.enabled:
            return
        state = checkpoint.get('state_dict') or {}
        bad = [
            k for k, v in state.items() if isinstance(v, torch.Tensor)
            and v.is_floating_point() and not torch.isfinite(v).all()
        ]
        if bad:
            it = (checkpoint.get('meta') or {}).get('iter', runner.iter)
            more = f' and {len(bad) - 1} more' if len(bad) > 1 else ''
            raise NonFiniteError(
                f'Training diverged: non-finite weights ({bad[0]}{more}) at '
                f'iteration {it}, lr={self._iter_lr or self._lr(runner)}. '
                f'Not saving this checkpoint; {self._last_checkpoint(runner)}'
                '.')

    @staticmethod
    def _lr(runner) -> str:
        try:
            lrs = runner.optim_wrapper.get_lr()
        except Exception:  # noqa: BLE001 - a message detail only
            return '?'
        values = sorted({v for group in lrs.values() for v in group})
        return ', '.join(f'{v:.4g}' for v in values) or '?'

    @staticmethod
    def _last_checkpoint(runner) -> str:
        """Where to go on from: the last checkpoint saved (every checkpoint
        passed :meth:`before_save_checkpoint`, so its weights are finite)."""
        advice = ('Lower the learning rate or add optim_wrapper.clip_grad, '
                  'then')
        path = osp.join(runner.work_dir, 'last_checkpoint')
        if osp.isfile(path):
            with open(path) as f:
                name = f.read().strip()
            if name and osp.exists(name):
                return (f'the last checkpoint (finite weights) is {name}. '
                        f'{advice} resume from it (tools/train.py CONFIG '
                        '--resume)')
        load_from = getattr(runner, '_load_from', None)
        start = f' (the run started from {load_from})' if load_from else ''
        return (f'no checkpoint was saved before it in {runner.work_dir}'
                f'{start}. {advice} train again')
