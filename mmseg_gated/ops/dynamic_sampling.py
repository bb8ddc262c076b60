# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Dynamic sampling, Eq. 1 of DDSM: ``out[b, c, n, p] = x[b, c](p + p_n +
dp_n(p)) * dm_n(p)`` for given offsets ``dp`` and modulation ``dm``.

Two backends: ``'mmcv'`` (mmcv's ``modulated_deform_conv2d`` with a
depthwise one-hot weight) and ``'torch'`` (``F.grid_sample``). The module
that predicts the offsets is
:class:`mmseg_gated.models.layers.DynamicSampler`.
"""
import math
from typing import Optional

import torch
import torch.nn.functional as F

BACKENDS = ('auto', 'mmcv', 'torch')

# What ``backend='auto'`` picks, per device type, and where that was
# measured (tools/analysis_tools/benchmark_sampler.py, forward+backward,
# C=256, 128x256, random offsets; figures in configs/ddsm/README.md).
# - cpu: grid_sample ('torch') is 5.7x (N=9) and 5.9x (N=25) faster than
#   mmcv's CPU kernel (measured on this project's 2-core CPU).
# - cuda: NOT measured (no GPU was available to this project). 'torch' until
#   a measurement says otherwise: it is the one measured faster anywhere, and
#   mmcv's op does more work (a GEMM with the one-hot weight and that
#   weight's gradient). Run the benchmark with ``--device cuda`` and update.
# Devices not listed use 'torch'.
DEFAULT_BACKEND = dict(cpu='torch', cuda='torch')


def resolve_backend(backend: str, device: torch.device) -> str:
    """``'auto'`` -> :data:`DEFAULT_BACKEND` for ``device``'s type."""
    if backend not in BACKENDS:
        raise ValueError(f'backend must be one of {BACKENDS}, got {backend!r}')
    if backend == 'auto':
        return DEFAULT_BACKEND.get(torch.device(device).type, 'torch')
    return backend


def compute_dtype(*tensors: torch.Tensor) -> torch.dtype:
    """float64 if any input is float64, else float32: sample positions and
    sampled values are never computed in a 16-bit type (under AMP a
    bfloat16 grid is off by several pixels at W ~ 900)."""
    if any(t is not None and t.dtype == torch.float64 for t in tensors):
        return torch.float64
    return torch.float32


def check_kernel_size(kernel_size: int) -> None:
    """Raise unless ``kernel_size`` is a positive odd int."""
    if not isinstance(kernel_size, int) or kernel_size < 1 \
            or kernel_size % 2 != 1:
        raise ValueError('kernel_size must be a positive odd int (N = k x k '
                         f'sampled points), got {kernel_size!r}')


def check_sample_args(x, offset, mask, kernel_size, row_start=0, rows=None):
    """Raise unless ``x``, ``offset`` and ``mask`` fit each other.
    ``rows``: the query rows expected (None: any, from ``offset``)."""
    if x.dim() != 4:
        raise ValueError(f'x must be B x C x H x W, got {tuple(x.shape)}')
    n = kernel_size * kernel_size
    b, _, h, w = x.shape
    if rows is None:
        rows = offset.shape[2] if offset.dim() == 4 else h
    if tuple(offset.shape) != (b, 2 * n, rows, w):
        raise ValueError(f'offset must be {(b, 2 * n, rows, w)} (dy, dx '
                         f'interleaved per point), got {tuple(offset.shape)}')
    if mask is not None and tuple(mask.shape) != (b, n, rows, w):
        raise ValueError(
            f'mask must be {(b, n, rows, w)}, got {tuple(mask.shape)}')
    if not (isinstance(row_start, int) and rows >= 1
            and 0 <= row_start <= h - rows):
        raise ValueError(f'rows {row_start}..{row_start + rows - 1} are not '
                         f'inside the {h} rows of x (row_start={row_start!r})')


def _no_autocast(device: torch.device):
    return torch.autocast(device_type=device.type, enabled=False)


def _sample_mmcv_rows(x, offset, mask, kernel_size, dilation, row_start):
    from mmcv.ops import modulated_deform_conv2d
    b, c, h, w = x.shape
    n = kernel_size * kernel_size
    rows = offset.shape[2]
    dtype = compute_dtype(x, offset, mask)
    if mask is None:
        mask = offset.new_ones(b, n, rows, w)
    pad = dilation * (kernel_size - 1) // 2
    with _no_autocast(x.device):
        x = x.to(dtype).contiguous()
        offset = offset.to(dtype)
        mask = mask.to(dtype)
        stride = 1
        if rows != h:
            # mmcv's output has ceil(H / stride) rows, output row i based at
            # input row i * stride - pad. Pick a stride that gives at least
            # ``rows`` rows and move every point to row_start + i - pad with
            # an integer added to its dy (exact: the fractional part, hence
            # the bilinear weights and gradients, is unchanged). Extra rows
            # get mask 0 and are dropped.
            stride = h if rows == 1 else (h - 1) // (rows - 1)
            out_rows = -(-h // stride)
            extra = out_rows - rows
            if extra:
                offset = F.pad(offset, (0, 0, 0, extra))
                mask = F.pad(mask, (0, 0, 0, extra))
            shift = row_start + torch.arange(
                out_rows, dtype=dtype, device=x.device) * (1 - stride)
            dy = torch.zeros(2 * n, out_rows, dtype=dtype, device=x.device)
            dy[0::2] = shift
            offset = offset + dy.view(1, 2 * n, out_rows, 1)
        weight = torch.eye(n, dtype=dtype, device=x.device)
        weight = weight.view(n, 1, kernel_size, kernel_size).repeat(c, 1, 1, 1)
        # mmcv's kernels index memory as contiguous NCHW: a channels-last
        # view (torch.cat of transposed tensors gives one) would be read
        # wrongly. Positional arguments: autograd Functions take no keywords.
        out = modulated_deform_conv2d(x, offset.contiguous(),
                                      mask.contiguous(), weight, None,
                                      (stride, 1), pad, dilation, c, 1)
    return out[:, :, :rows].reshape(b, c, n, rows, w)


def _sample_torch_rows(x, offset, mask, kernel_size, dilation, row_start):
    b, c, h, w = x.shape
    n = kernel_size * kernel_size
    rows = offset.shape[2]
    dtype = compute_dtype(x, offset, mask)
    r = (kernel_size - 1) // 2
    dev = x.device
    with _no_autocast(dev):
        grid_1d = torch.arange(-r, r + 1, dtype=dtype, device=dev) * dilation
        gy, gx = torch.meshgrid(grid_1d, grid_1d, indexing='ij')  # k x k
        ys = torch.arange(
            row_start, row_start + rows, dtype=dtype,
            device=dev).view(1, 1, rows, 1)
        xs = torch.arange(w, dtype=dtype, device=dev).view(1, 1, 1, w)
        off = offset.to(dtype).view(b, n, 2, rows, w)
        py = ys + gy.reshape(1, n, 1, 1) + off[:, :, 0]  # B x N x R x W
        px = xs + gx.reshape(1, n, 1, 1) + off[:, :, 1]
        # pixel index -> [-1, 1] with align_corners=False (valid for size 1)
        grid = torch.stack(((2 * px + 1) / w - 1, (2 * py + 1) / h - 1),
                           dim=-1)
        out = F.grid_sample(
            x.to(dtype),
            grid.view(b, n * rows, w, 2),
            mode='bilinear',
            padding_mode='zeros',
            align_corners=False)
        out = out.view(b, c, n, rows, w)
        if mask is not None:
            out = out * mask.to(dtype).unsqueeze(1)
    return out


def _sample(x, offset, mask, kernel_size, dilation, backend, row_start):
    backend = resolve_backend(backend, x.device)
    fn = _sample_mmcv_rows if backend == 'mmcv' else _sample_torch_rows
    return fn(x, offset, mask, kernel_size, dilation, row_start)


def sample_rows(x: torch.Tensor,
                offset: torch.Tensor,
                mask: Optional[torch.Tensor],
                kernel_size: int,
                dilation: int = 1,
                backend: str = 'auto',
                row_start: int = 0) -> torch.Tensor:
    """Eq. 1 for the query positions of rows ``row_start .. row_start + R -
    1`` (any point of ``x`` can be sampled).

    Args:
        x (Tensor): ``B x C x H x W`` features to sample.
        offset (Tensor): ``B x 2N x R x W`` offsets in pixels, (dy, dx)
            interleaved per point, points in row-major order of the k x k
            grid (mmcv's and torchvision's layout).
        mask (Tensor, optional): ``B x N x R x W`` modulation; None samples
            without modulation.
        kernel_size (int): k, with N = k * k.
        dilation (int): Spacing of the regular grid. Default: 1.
        backend (str): ``'mmcv'``, ``'torch'`` or ``'auto'``.
        row_start (int): First query row. Default: 0.

    Returns:
        Tensor: ``B x C x N x R x W``, in float32 (float64 if an input is
        float64) whatever the input dtype or autocast state.
    """
    check_sample_args(x, offset, mask, kernel_size, row_start)
    return _sample(x, offset, mask, kernel_size, dilation, backend, row_start)


def sample_mmcv(x: torch.Tensor,
                offset: torch.Tensor,
                mask: torch.Tensor,
                kernel_size: int,
                dilation: int = 1) -> torch.Tensor:
    """Dynamic sampling with mmcv's ``modulated_deform_conv2d`` (DCNv2).

    A depthwise conv whose weight is one-hot over the kernel points turns the
    deformable conv into a sampler: output channel ``c * N + n`` is input
    channel ``c`` read at kernel point ``n`` (bilinear, zero outside the
    image) times ``mask[:, n]``. mmcv's op also computes a (discarded)
    gradient for the constant weight.

    Args:
        x (Tensor): ``B x C x H x W`` features to sample.
        offset (Tensor): ``B x 2N x H x W`` offsets in pixels, (dy, dx)
            interleaved per point, points in row-major order of the k x k
            grid (mmcv's and torchvision's layout).
        mask (Tensor): ``B x N x H x W`` modulation.
        kernel_size (int): k, with N = k * k.
        dilation (int): Spacing of the regular grid. Default: 1.

    Returns:
        Tensor: ``B x C x N x H x W`` in float32 (float64 for float64
        inputs).
    """
    check_sample_args(x, offset, mask, kernel_size, rows=x.shape[2])
    return _sample(x, offset, mask, kernel_size, dilation, 'mmcv', 0)


def sample_torch(x: torch.Tensor,
                 offset: torch.Tensor,
                 mask: torch.Tensor,
                 kernel_size: int,
                 dilation: int = 1) -> torch.Tensor:
    """Dynamic sampling in pure PyTorch with ``F.grid_sample``.

    Same arguments, layout and values as :func:`sample_mmcv` (bilinear,
    zero padding outside the image). Gradients agree too, except for the
    offset gradient at integer sample positions (see
    :class:`~mmseg_gated.models.layers.DynamicSampler`).
    """
    check_sample_args(x, offset, mask, kernel_size, rows=x.shape[2])
    return _sample(x, offset, mask, kernel_size, dilation, 'torch', 0)


def dynamic_sample(x: torch.Tensor,
                   offset: torch.Tensor,
                   mask: torch.Tensor,
                   kernel_size: int,
                   dilation: int = 1,
                   backend: str = 'auto') -> torch.Tensor:
    """Eq. 1 of DDSM with given offsets and modulation.

    ``out[b, c, n, p] = x[b, c](p + p_n + offset_n(p)) * mask[b, n, p]``.

    Args:
        backend (str): ``'mmcv'``, ``'torch'`` or ``'auto'``
            (:data:`DEFAULT_BACKEND` for ``x``'s device).

    See :func:`sample_mmcv` for the other arguments.
    """
    check_sample_args(x, offset, mask, kernel_size, rows=x.shape[2])
    return _sample(x, offset, mask, kernel_size, dilation, backend, 0)


def kernel_size_of(num_points: int, name: str = 'num_points') -> int:
    """k for N = k x k sampled points; raise unless N is the square of an
    odd number (9, 25, ...). ``name`` is the argument named in the error."""
    k = math.isqrt(num_points) if isinstance(num_points, int) and \
        num_points > 0 else 0
    if k * k != num_points or k % 2 != 1:
        raise ValueError(f'{name} must be the square of an odd number '
                         f'(k x k sampled points, e.g. 9 or 25), got '
                         f'{num_points!r}')
    return k
