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
from typing import List

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
