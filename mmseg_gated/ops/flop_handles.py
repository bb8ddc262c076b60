# Copyright (c) mmseg_gated contributors. All rights reserved.
"""FLOP handles of the ops in this package, for mmengine's ``FlopAnalyzer``
(``mmseg_gated.utils.flops.count_complexity`` uses them).

A handle has fvcore's signature ``handle(inputs, outputs) -> int`` where
``inputs``/``outputs`` are lists of jit values; :data:`FLOP_HANDLES` maps
the op names as ``torch.jit`` traces them to their handles. Bilinear
interpolation is 4 multiply-adds per output value, the convention mmengine
uses for ``upsample_bilinear2d``.
"""
import math
from typing import Callable, Dict


def _shape(val):
    from mmengine.analysis.jit_handles import get_shape
    return get_shape(val)


def modulated_deform_conv_flop(inputs, outputs) -> int:
    """mmcv's DCNv2 (``modulated_deform_conv2d``): bilinear im2col
    (4 per sampled value) + modulation (1) + the conv's GEMM.

    With the one-hot weight of :func:`~.dynamic_sampling.sample_mmcv` the GEMM
    is what the mmcv backend really executes (N multiply-adds per output
    value); the ``torch`` backend skips it (see ``aten::grid_sampler``).
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
    einsum core is counted."""
    q_shape, off_shape = _shape(inputs[0]), _shape(inputs[3])
    if q_shape is None or off_shape is None:
        return 0
    b, c, h, w = q_shape
    n = off_shape[1] // 2
    sampled = b * c * n * h * w  # one of key, value
    return int(2 * sampled * per_sampled + 2 * sampled)


def sampled_attention_torch_flop(inputs, outputs) -> int:
    """The core with ``grid_sample``: bilinear, 4 per sampled value."""
    return _sampled_attention_flop(inputs, 4)


def sampled_attention_mmcv_flop(inputs, outputs) -> int:
    """The core with mmcv's op: bilinear 4 + modulation 1 + the one-hot
    GEMM (N) per sampled value, as :func:`modulated_deform_conv_flop`."""
    off_shape = _shape(inputs[3])
    n = off_shape[1] // 2 if off_shape is not None else 0
    return _sampled_attention_flop(inputs, 5 + n)


FLOP_HANDLES: Dict[str, Callable] = {
    'prim::PythonOp.ModulatedDeformConv2dFunction': modulated_deform_conv_flop,
    'aten::grid_sampler': grid_sampler_flop,
    'prim::PythonOp.SampledAttentionTorch': sampled_attention_torch_flop,
    'prim::PythonOp.SampledAttentionMMCV': sampled_attention_mmcv_flop,
}
