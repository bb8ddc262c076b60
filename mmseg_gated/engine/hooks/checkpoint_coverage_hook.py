# Copyright (c) mmseg_gated contributors. All rights reserved.
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint
from mmseg.registry import HOOKS

from ...apis.checkpoint import loaded_state_shapes
from ...apis.checkpoint_coverage import check_checkpoint_coverage


@HOOKS.register_module()
class CheckpointCoverageHook(Hook):
    """Stop testing a checkpoint that fills too little of the model.

    mmengine loads ``load_from`` non-strictly, so a checkpoint of another
    architecture gives a partly random model whose metrics look like a
    result. Before testing or validating, this hook counts the model's
    parameters (by element) that the checkpoint filled and raises
    :class:`~mmseg_gated.apis.CheckpointCoverageError` below
    ``min_fraction`` (naming the first missing and unexpected keys). When
    training starts from ``load_from`` (not resuming), it logs the same
    figure at INFO level and never raises: fine-tuning from another
    architecture is legitimate there.

    Args:
        min_fraction (float): Smallest fraction of parameters that must be
            loaded for testing. Default: 0.99.
        allow_partial (bool): Log the figure but do not raise
            (``tools/test.py --allow-partial``). Default: False.
    """
    priority = 'VERY_HIGH'

    def __init__(self,
                 min_fraction: float = 0.99,
                 allow_partial: bool = False):
        if not 0.0 <= min_fraction <= 1.0:
            raise ValueError(
                f'min_fraction must lie in [0, 1], got {min_fraction}')
        self.min_fraction = min_fraction
        self.allow_partial = allow_partial
        self._checked = False

    def _coverage(self, runner, allow_partial):
        filename = runner._load_from
        if not filename or self._checked:
            return
        self._checked = True
        shapes = loaded_state_shapes(filename)
        if shapes is None:  # not a local file read by our loader
            shapes = _load_checkpoint(filename, map_location='cpu')
        cov = check_checkpoint_coverage(
            runner.model,
            shapes,
            filename,
            min_fraction=self.min_fraction,
            allow_partial=allow_partial)
        print_log(f'Checkpoint {filename}: {cov.summary()}', logger='current')

    def before_train(self, runner) -> None:
        if not runner._resume:
            self._coverage(runner, allow_partial=True)

    def before_val(self, runner) -> None:
        if not runner._resume:  # in training, before_train checked already
            self._coverage(runner, self.allow_partial)

    def before_test(self, runner) -> None:
        self._coverage(runner, self.allow_partial)
