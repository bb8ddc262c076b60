# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Complexity counting that works with mmengine 0.10.x and counts our ops.

mmengine's :class:`~mmengine.analysis.FlopAnalyzer` traces the model with
``torch.jit`` and counts known aten ops (multiply-adds, like the papers that
report "GFLOPs" for 2x this figure do not). Ops it does not know count as zero;
``EXTRA_OP_HANDLES`` maps such op names to handles so that their cost is
counted too. A handle has fvcore's signature ``handle(inputs, outputs) ->
int | Counter`` where ``inputs``/``outputs`` are lists of jit values.
"""
import math
from typing import Callable, Dict, Optional, Tuple

import torch
import torch.nn as nn

# op name (as torch.jit names it) -> handle
EXTRA_OP_HANDLES: Dict[str, Callable] = {}


def register_op_handle(name: str) -> Callable:
    """Decorator: count op ``name`` with the decorated handle."""

    def _register(fn: Callable) -> Callable:
        EXTRA_OP_HANDLES[name] = fn
        return fn

    return _register


# Handles for the DDSM sampler and spatial core. Bilinear interpolation is 4
# multiply-adds per output value, the convention mmengine uses for
# upsample_bilinear2d.


def _shape(val):
    from mmengine.analysis.jit_handles import get_shape
    return get_shape(val)


@register_op_handle('prim::PythonOp.ModulatedDeformConv2dFunction')
def modulated_deform_conv_flop(inputs, outputs) -> int:
    """mmcv's DCNv2 (``modulated_deform_conv2d``): bilinear im2col
    (4 per sampled value) + modulation (1) + the conv's GEMM.

    With the one-hot weight of DDSM's ``sample_mmcv`` the GEMM is what the
    mmcv backend really executes (N multiply-adds per output value); the
    ``torch`` backend skips it (see ``aten::grid_sampler``).
    """
    x_shape = _shape(inputs[0])
    w_shape = _shape(inputs[3])
    out_shape = _shape(outputs[0])
    if x_shape is None or w_shape is None or out_shape is None:
        return 0
    b, c_in = x_shape[:2]
    c_out, c_per_group, kh, kw = w_shape
    spatial = math.prod(out_shape[2:])
    sampled = b * c_in * kh * kw * spatial
    gemm = b * c_out * spatial * c_per_group * kh * kw
    return int(sampled * 5 + gemm)


@register_op_handle('aten::grid_sampler')
def grid_sampler_flop(inputs, outputs) -> int:
    """``F.grid_sample``: 4 multiply-adds per output value (bilinear)."""
    out_shape = _shape(outputs[0])
    if out_shape is None:
        return 0
    return int(4 * math.prod(out_shape))


def _sampled_attention_flop(inputs, per_sampled: int) -> int:
    """DDSM's spatial core (``sampled_attention``): key and value sampled
    at N points (``per_sampled`` multiply-adds per sampled value), then
    ``q . k_n`` and ``sum_n a_n v_n`` (1 each per sampled value), as the
    original einsum core is counted."""
    q_shape, off_shape = _shape(inputs[0]), _shape(inputs[3])
    if q_shape is None or off_shape is None:
        return 0
    b, c, h, w = q_shape
    n = off_shape[1] // 2
    sampled = b * c * n * h * w  # one of key, value
    return int(2 * sampled * per_sampled + 2 * sampled)


@register_op_handle('prim::PythonOp.SampledAttentionTorch')
def sampled_attention_torch_flop(inputs, outputs) -> int:
    """The core with ``grid_sample``: bilinear, 4 per sampled value."""
    return _sampled_attention_flop(inputs, 4)


@register_op_handle('prim::PythonOp.SampledAttentionMMCV')
def sampled_attention_mmcv_flop(inputs, outputs) -> int:
    """The core with mmcv's op: bilinear 4 + modulation 1 + the one-hot
    GEMM (N) per sampled value, as ``modulated_deform_conv_flop``."""
    off_shape = _shape(inputs[3])
    n = off_shape[1] // 2 if off_shape is not None else 0
    return _sampled_attention_flop(inputs, 5 + n)


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
