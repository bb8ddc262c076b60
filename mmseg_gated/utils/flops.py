# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Complexity counting that works with mmengine 0.10.x and counts our ops.

mmengine's :class:`~mmengine.analysis.FlopAnalyzer` traces the model with
``torch.jit`` and counts known aten ops (multiply-adds, like the papers that
report "GFLOPs" for 2x this figure do not). Ops it does not know count as zero;
``EXTRA_OP_HANDLES`` maps such op names to handles so that their cost is
counted too: the handles of :mod:`mmseg_gated.ops` (DDSM's sampler and
spatial core, ``mmseg_gated/ops/flop_handles.py``) and any added with
:func:`register_op_handle`. A handle has fvcore's signature
``handle(inputs, outputs) -> int | Counter`` where ``inputs``/``outputs``
are lists of jit values.
"""
from typing import Callable, Dict, Optional, Tuple

import torch
import torch.nn as nn

from mmseg_gated.ops.flop_handles import FLOP_HANDLES

# op name (as torch.jit names it) -> handle
EXTRA_OP_HANDLES: Dict[str, Callable] = dict(FLOP_HANDLES)


def register_op_handle(name: str) -> Callable:
    """Decorator: count op ``name`` with the decorated handle."""

    def _register(fn: Callable) -> Callable:
        EXTRA_OP_HANDLES[name] = fn
        return fn

    return _register


class _PredictWrapper(nn.Module):
    """Trace a segmentor through ``_forward`` (backbone + heads, no loss)."""

    def __init__(self, segmentor: nn.Module) -> None:
        super().__init__()
        self.segmentor = segmentor

    def forward(self, x: torch.Tensor):
        return self.segmentor._forward(x)


def count_complexity(model: nn.Module,
                     input_shape: Tuple[int, int],
                     batch_size: int = 1,
                     show_table: bool = False,
                     extra_handles: Optional[Dict[str, Callable]] = None):
    """Multiply-adds and parameters of a segmentor's ``_forward``.

    Args:
        model (nn.Module): A segmentor (``EncoderDecoder`` or subclass).
        input_shape (tuple[int, int]): (H, W) of the input image.
        batch_size (int): Batch size of the traced input. Default: 1.
        show_table (bool): Return mmengine's per-module table too.
        extra_handles (dict, optional): More op handles for this call.

    Returns:
        dict: ``flops`` (multiply-adds), ``params``, ``uncounted`` (op names
        the analyser skipped, with their counts) and, if asked, ``table``.
    """
    from mmengine.analysis import FlopAnalyzer, parameter_count

    model = model.eval()
    wrapper = _PredictWrapper(model)
    x = torch.zeros(batch_size, 3, *input_shape)
    analyzer = FlopAnalyzer(wrapper, (x, ))
    handles = dict(EXTRA_OP_HANDLES)
    handles.update(extra_handles or {})
    if handles:
        analyzer.set_op_handle(**handles)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    with torch.no_grad():
        flops = analyzer.total()
        uncounted = dict(analyzer.unsupported_ops())
    params = parameter_count(model)['']
    out = dict(flops=flops, params=params, uncounted=uncounted)
    if show_table:
        # mmengine 0.10.x has no flop_count_table (fvcore's name)
        from mmengine.analysis.print_helper import complexity_stats_table
        out['table'] = complexity_stats_table(analyzer, max_depth=3)
    return out
