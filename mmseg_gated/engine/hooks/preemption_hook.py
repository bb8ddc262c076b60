# Copyright (c) mmseg_gated contributors. All rights reserved.
import os.path as osp
import signal
import threading

import torch
import torch.distributed as dist
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmseg.registry import HOOKS

from ..atomic_io import enable_atomic_checkpoint_writes


@HOOKS.register_module()
class PreemptionHook(Hook):
    """Save and stop cleanly when a cluster scheduler preempts the job.

    Schedulers (Slurm, Kubernetes) send SIGTERM (or a configured signal such
    as SIGUSR1) some time before they kill a job. This hook catches the
    signals, lets the current iteration finish, saves ``iter_N.pth`` (and
    ``last_checkpoint``, so ``tools/train.py CONFIG --resume`` continues
    from it), logs one line saying so and stops the training loop. In a
    distributed run the ranks agree on the stop through one all-reduce per
    iteration, so every rank stops after the same iteration.

    It also makes every local checkpoint write atomic
    (:class:`~mmseg_gated.engine.AtomicLocalBackend`): a kill during
    a save never leaves a truncated checkpoint.

    Args:
        signals (sequence[str]): Signal names to catch.
            Default: ('SIGTERM', 'SIGUSR1').
    """
    priority = 'LOWEST'  # after CheckpointHook's own save

    def __init__(self, signals=('SIGTERM', 'SIGUSR1')):
        self.signals = []
        for name in signals:
            if not hasattr(signal, name):
                raise ValueError(f'signals: unknown signal name {name!r}')
            self.signals.append(getattr(signal, name))
        self._received = None
        self._previous = {}

    def _handle(self, signum, frame):
        self._received = signum

    def before_run(self, runner) -> None:
        enable_atomic_checkpoint_writes()

    def before_train(self, runner) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signal handlers can only be set in the main thread
        for signum in self.signals:
            self._previous[signum] = signal.signal(signum, self._handle)

    def _stop_requested(self) -> bool:
        flag = int(self._received is not None)
        if dist.is_available() and dist.is_initialized():
            t = torch.tensor([flag], dtype=torch.int32)
            if dist.get_backend() == 'nccl':
                t = t.cuda()
            dist.all_reduce(t, op=dist.ReduceOp.MAX)
            flag = int(t.item())
        return bool(flag)

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        if not self._stop_requested():
            return
        name = (
            signal.Signals(self._received).name
            if self._received is not None else 'a stop signal')
        filename = f'iter_{runner.iter + 1}.pth'
        runner.save_checkpoint(runner.work_dir, filename, by_epoch=False)
        path = osp.join(runner.work_dir, filename)
        if is_main_process():
            with open(osp.join(runner.work_dir, 'last_checkpoint'), 'w') as f:
                f.write(path)
        print_log(
            f'Received {name}: stopped after iteration {runner.iter + 1} '
            f'and saved {path}. Continue with `tools/train.py CONFIG '
            f'--work-dir {runner.work_dir} --resume`.',
            logger='current')
        runner.train_loop.stop_training = True

    def after_run(self, runner) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous = {}
