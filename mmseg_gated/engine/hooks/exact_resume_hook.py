# Copyright (c) mmseg_gated contributors. All rights reserved.
import random

import numpy as np
import torch
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class ExactResumeHook(Hook):
    """Make ``--resume`` continue with the random numbers of an unbroken run.

    mmengine's checkpoints carry no random-number state, so a resumed run
    draws other dropout masks and other augmentations than the run it
    continues, and its losses drift from the uninterrupted run's. This hook
    stores in every checkpoint:

    - torch's CPU (and CUDA) generator state at save time (dropout, ...);
    - numpy's and Python's generator states at the start of training. On
      resume, mmengine's ``IterBasedTrainLoop`` replays the data loader for
      the iterations already done; with these states restored first, the
      replay redraws the same augmentations and leaves the generators where
      the unbroken run had them.

    Exact for single-process loaders (``num_workers=0``); with worker
    processes the workers seed themselves and only torch's state is
    restored.
    """
    priority = 'VERY_LOW'

    def __init__(self):
        self._start = None  # numpy/random states at the start of training

    def before_train(self, runner) -> None:
        if self._start is None:
            self._start = dict(
                numpy=np.random.get_state(), random=random.getstate())

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = dict(torch=torch.get_rng_state())
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state['cuda'] = torch.cuda.get_rng_state_all()
        if self._start is not None:
            state.update(
                numpy_start=self._start['numpy'],
                random_start=self._start['random'])
        checkpoint['rng_state'] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('rng_state')
        if not runner._resume or not isinstance(state, dict):
            return
        if isinstance(state.get('torch'), torch.Tensor):
            torch.set_rng_state(state['torch'])
        if 'cuda' in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])
        if 'numpy_start' in state and 'random_start' in state:
            np.random.set_state(state['numpy_start'])
            random.setstate(state['random_start'])
            self._start = dict(
                numpy=state['numpy_start'], random=state['random_start'])
