# Copyright (c) mmseg_gated contributors. All rights reserved.
"""How much of a model a checkpoint fills, and an error when it is too
little.

mmengine loads ``load_from`` and test checkpoints non-strictly: a checkpoint
of another architecture fills a few layers, leaves the rest random, and the
run only prints missing-key warnings before reporting a number that looks
like a result. :func:`check_checkpoint_coverage` counts the model's
parameters (by element count) that receive a tensor of the same name and
shape, and stops when that fraction is below a threshold.
"""
import re
from dataclasses import dataclass, field
from typing import Callable, List, Optional

from mmengine.model import BaseTTAModel, is_model_wrapper

from .checkpoint import CheckpointLoadError


class CheckpointCoverageError(CheckpointLoadError):
    """A checkpoint fills too little of the model."""


@dataclass
class CheckpointCoverage:
    """What a state dict fills in a model.

    Attributes:
        loaded (int): Parameter elements that get a same-name, same-shape
            tensor from the checkpoint.
        total (int): All parameter elements of the model.
        missing (list[str]): Parameter names the checkpoint lacks.
        unexpected (list[str]): Checkpoint names the model lacks.
        mismatched (list[str]): Names present in both with other shapes.
    """
    loaded: int
    total: int
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    mismatched: List[str] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        return self.loaded / max(self.total, 1)

    def summary(self, limit: int = 5) -> str:

        def first(names):
            more = f' (+{len(names) - limit} more)' if len(
                names) > limit else ''
            return ', '.join(names[:limit]) + more if names else 'none'

        return (f'{self.fraction:.1%} of the model\'s parameters '
                f'({self.loaded:,} of {self.total:,}) loaded; missing: '
                f'{first(self.missing)}; unexpected: '
                f'{first(self.unexpected)}; shape mismatch: '
                f'{first(self.mismatched)}')


def checkpoint_coverage(model, checkpoint, revise_keys=((r'^module\.', ''), )):
    """Count what ``checkpoint`` fills in ``model``.

    Args:
        model (nn.Module): The model (a DDP or test-time-augmentation
            wrapper is unwrapped).
        checkpoint (dict): A checkpoint (with ``state_dict``) or a state dict,
            or a mapping of names to shapes.
        revise_keys (sequence): ``(pattern, replacement)`` pairs applied to
            the checkpoint's names, as mmengine's ``load_checkpoint`` does.

    Returns:
        CheckpointCoverage
    """
    if is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module  # as mmengine's load_state_dict unwraps
    state = checkpoint.get('state_dict', checkpoint)
    shapes = {}
    for name, value in state.items():
        for pattern, repl in revise_keys:
            name = re.sub(pattern, repl, name)
        shapes[name] = tuple(getattr(value, 'shape', value))
    own = dict(model.named_parameters())
    buffers = {name for name, _ in model.named_buffers()}
    cov = CheckpointCoverage(
        loaded=0, total=sum(p.numel() for p in own.values()))
    for name, param in own.items():
        if name not in shapes:
            cov.missing.append(name)
        elif shapes[name] != tuple(param.shape):
            cov.mismatched.append(name)
        else:
            cov.loaded += param.numel()
    cov.unexpected = [n for n in shapes if n not in own and n not in buffers]
    return cov


def check_checkpoint_coverage(model,
                              checkpoint,
                              filename: str,
                              min_fraction: float = 0.99,
                              allow_partial: bool = False):
    """Raise when ``checkpoint`` fills less than ``min_fraction`` of
    ``model``.

    Args:
        model (nn.Module): The model the checkpoint was loaded into.
        checkpoint (dict): The checkpoint or its state dict.
        filename (str): Its path, for the message.
        min_fraction (float): Smallest acceptable fraction of parameter
            elements filled. Default: 0.99.
        allow_partial (bool): Only return the coverage, never raise.

    Returns:
        CheckpointCoverage

    Raises:
        CheckpointCoverageError: too little was loaded and ``allow_partial``
            is False.
    """
    cov = checkpoint_coverage(model, checkpoint)
    if cov.fraction < min_fraction and not allow_partial:
        raise CheckpointCoverageError(
            f'checkpoint {filename!r} does not fit this model: '
            f'{cov.summary()}. Is it the checkpoint of this config? Pass '
            '--allow-partial to go on with a partly random model.')
    return cov


def init_model_checked(config,
                       checkpoint=None,
                       device: str = 'cpu',
                       allow_partial: bool = False,
                       min_fraction: float = 0.99,
                       **kwargs):
    """:func:`mmseg.apis.init_model`, then :func:`check_checkpoint_coverage`.

    For tools that build a model from a checkpoint the user names
    (``tools/autolabel.py``, the visualisers): a checkpoint of another
    architecture stops with an error instead of giving a partly random
    model. The checkpoint is read without executing pickled code
    (:mod:`mmseg_gated.utils.checkpoint`).

    Args:
        config (str | Config): The model config.
        checkpoint (str, optional): Checkpoint path; None builds a randomly
            initialised model and checks nothing.
        device (str): Device for the model. Default: 'cpu'.
        allow_partial (bool): Log instead of raising. Default: False.
        min_fraction (float): See :func:`check_checkpoint_coverage`.
        **kwargs: Passed to ``init_model``.
    """
    from mmengine.logging import print_log
    from mmseg.apis import init_model

    from .checkpoint import (enable_safe_checkpoint_loading,
                             load_checkpoint_file, loaded_state_shapes)
    enable_safe_checkpoint_loading()
    model = init_model(config, checkpoint, device=device, **kwargs)
    if checkpoint is not None:
        shapes = loaded_state_shapes(checkpoint)
        if shapes is None:
            shapes = load_checkpoint_file(checkpoint, 'cpu')
        cov = check_checkpoint_coverage(model, shapes, checkpoint,
                                        min_fraction, allow_partial)
        print_log(
            f'Checkpoint {checkpoint}: {cov.summary()}', logger='current')
    return model


def init_tool_model(config,
                    checkpoint,
                    device: str = 'cpu',
                    allow_partial: bool = False,
                    cfg_options: Optional[dict] = None,
                    prepare: Optional[Callable] = None):
    """The model a command-line tool was given: :func:`init_model_checked`
    with the tools' conventions.

    Args:
        config (str | Config): Config file or a loaded config.
        checkpoint (str): Checkpoint path, or ``'none'`` for random weights.
        device (str): Device for the model. Default: 'cpu'.
        allow_partial (bool): ``--allow-partial``. Default: False.
        cfg_options (dict, optional): ``--cfg-options``, merged first.
        prepare (callable, optional): Called with the config before the
            model is built (a tool that sets ``test_cfg``, scales, ...).

    Raises:
        SystemExit: the checkpoint cannot be read or does not fit, with the
            loader's message.
    """
    from mmengine.config import Config
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if prepare is not None:
        prepare(cfg)
    ckpt = None if checkpoint is None or checkpoint.lower() == 'none' \
        else checkpoint
    try:
        return init_model_checked(
            cfg, ckpt, device=device, allow_partial=allow_partial)
    except CheckpointLoadError as e:
        raise SystemExit(f'error: {e}') from None
