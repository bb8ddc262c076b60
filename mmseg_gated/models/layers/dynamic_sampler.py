# Copyright (c) mmseg_gated contributors. All rights reserved.
import math
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule, constant_init
from mmseg.registry import MODELS

from mmseg_gated.utils.flops import register_op_handle

BACKENDS = ('auto', 'mmcv', 'torch')


def _check_kernel(kernel_size: int) -> None:
    if not isinstance(kernel_size, int) or kernel_size < 1 \
            or kernel_size % 2 != 1:
        raise ValueError('kernel_size must be a positive odd int (N = k x k '
                         f'sampled points), got {kernel_size!r}')


def _check_sample_args(x, offset, mask, kernel_size):
    if x.dim() != 4:
        raise ValueError(f'x must be B x C x H x W, got {tuple(x.shape)}')
    n = kernel_size * kernel_size
    b, _, h, w = x.shape
    if tuple(offset.shape) != (b, 2 * n, h, w):
        raise ValueError(f'offset must be {(b, 2 * n, h, w)} (dy, dx '
                         f'interleaved per point), got {tuple(offset.shape)}')
    if tuple(mask.shape) != (b, n, h, w):
        raise ValueError(
            f'mask must be {(b, n, h, w)}, got {tuple(mask.shape)}')


def sample_mmcv(x: torch.Tensor, offset: torch.Tensor, mask: torch.Tensor,
                kernel_size: int, dilation: int = 1) -> torch.Tensor:
    """Dynamic sampling with mmcv's ``modulated_deform_conv2d`` (DCNv2).

    A depthwise conv whose weight is one-hot over the kernel points turns the
    deformable conv into a sampler: output channel ``c * N + n`` is input
    channel ``c`` read at kernel point ``n`` (bilinear, zero outside the
    image) times ``mask[:, n]``.

    Args:
        x (Tensor): ``B x C x H x W`` features to sample.
        offset (Tensor): ``B x 2N x H x W`` offsets in pixels, (dy, dx)
            interleaved per point, points in row-major order of the k x k
            grid (mmcv's and torchvision's layout).
        mask (Tensor): ``B x N x H x W`` modulation.
        kernel_size (int): k, with N = k * k.
        dilation (int): Spacing of the regular grid. Default: 1.

    Returns:
        Tensor: ``B x C x N x H x W``.
    """
    from mmcv.ops import modulated_deform_conv2d
    _check_sample_args(x, offset, mask, kernel_size)
    b, c, h, w = x.shape
    n = kernel_size * kernel_size
    weight = torch.eye(n, dtype=x.dtype, device=x.device)
    weight = weight.view(n, 1, kernel_size, kernel_size).repeat(c, 1, 1, 1)
    pad = dilation * (kernel_size - 1) // 2
    # mmcv's kernels index memory as contiguous NCHW: a channels-last view
    # (torch.cat of transposed tensors gives one) would be read wrongly.
    # Positional arguments: autograd Functions take no keywords.
    out = modulated_deform_conv2d(x.contiguous(),
                                  offset.to(x.dtype).contiguous(),
                                  mask.to(x.dtype).contiguous(), weight, None,
                                  1, pad, dilation, c, 1)
    return out.view(b, c, n, h, w)


def sample_torch(x: torch.Tensor, offset: torch.Tensor, mask: torch.Tensor,
                 kernel_size: int, dilation: int = 1) -> torch.Tensor:
    """Dynamic sampling in pure PyTorch with ``F.grid_sample``.

    Same arguments, layout and result as :func:`sample_mmcv` (bilinear,
    zero padding outside the image).
    """
    _check_sample_args(x, offset, mask, kernel_size)
    b, c, h, w = x.shape
    n = kernel_size * kernel_size
    r = (kernel_size - 1) // 2
    grid_1d = torch.arange(-r, r + 1, dtype=x.dtype, device=x.device)
    grid_1d = grid_1d * dilation
    gy, gx = torch.meshgrid(grid_1d, grid_1d, indexing='ij')  # k x k
    ys = torch.arange(h, dtype=x.dtype, device=x.device).view(1, 1, h, 1)
    xs = torch.arange(w, dtype=x.dtype, device=x.device).view(1, 1, 1, w)
    off = offset.to(x.dtype).view(b, n, 2, h, w)
    py = ys + gy.reshape(1, n, 1, 1) + off[:, :, 0]  # B x N x H x W
    px = xs + gx.reshape(1, n, 1, 1) + off[:, :, 1]
    # pixel index -> [-1, 1] with align_corners=False (valid for size 1)
    grid = torch.stack(((2 * px + 1) / w - 1, (2 * py + 1) / h - 1), dim=-1)
    grid = grid.view(b, n * h, w, 2)
    out = F.grid_sample(
        x, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
    return out.view(b, c, n, h, w) * mask.to(x.dtype).unsqueeze(1)


# Measured on this project's 2-core CPU (tools/analysis_tools/
# benchmark_sampler.py, C=256, 128x256, forward+backward): grid_sample is
# 6.0x (N=9) and 6.8x (N=25) faster than mmcv's CPU kernel, which needs
# about half the memory; see configs/ddsm/README.md. CUDA: mmcv's kernel,
# as the DDSM design asks (not measured here: no GPU was available).
DEFAULT_BACKEND = dict(cpu='torch', cuda='mmcv')


def dynamic_sample(x: torch.Tensor,
                   offset: torch.Tensor,
                   mask: torch.Tensor,
                   kernel_size: int,
                   dilation: int = 1,
                   backend: str = 'auto') -> torch.Tensor:
    """Eq. 1 of DDSM with given offsets and modulation.

    ``out[b, c, n, p] = x[b, c](p + p_n + offset_n(p)) * mask[b, n, p]``.

    Args:
        backend (str): ``'mmcv'``, ``'torch'`` or ``'auto'`` (the measured
            faster one on ``x``'s device, :data:`DEFAULT_BACKEND`).

    See :func:`sample_mmcv` for the other arguments.
    """
    if backend not in BACKENDS:
        raise ValueError(f'backend must be one of {BACKENDS}, got {backend!r}')
    if backend == 'auto':
        backend = DEFAULT_BACKEND.get(x.device.type, 'torch')
    fn = sample_mmcv if backend == 'mmcv' else sample_torch
    return fn(x, offset, mask, kernel_size, dilation)


@MODELS.register_module()
class DynamicSampler(BaseModule):
    """Dynamic sampler of DDSM (Sec. 2.1, Eq. 1, Fig. 2).

    For every position p it samples N = k x k points ``p + p_n + dp_n``
    around a regular k x k grid, with offsets ``dp_n`` from a 1x1 conv (2N
    channels, zero-initialised so training starts on the grid) and a
    modulation ``dm_n = sigmoid(1x1 conv)`` (N channels, DCNv2-style: zero
    init gives 0.5):

        F(x(p)) = {x(p + p_n + dp_n) * dm_n | n = 1..N}.

    Offsets and modulation are predicted from ``guide`` (default: ``x``
    itself), so several tensors can be sampled at the same points (DDSM
    samples key and value together).

    Args:
        in_channels (int): Channels of the guide the offsets are predicted
            from.
        kernel_size (int): k; N = k * k points. Must be odd. Default: 3.
        dilation (int): Spacing of the regular grid. Default: 1.
        backend (str): ``'mmcv'`` (``modulated_deform_conv2d`` with a
            depthwise one-hot weight; CUDA kernels), ``'torch'``
            (``F.grid_sample``) or ``'auto'`` (the faster one measured on the
            input's device). Both give the same values and gradients.
            Default: 'auto'.
        init_cfg (dict, optional): Initialization config. Default: None.

    Shape:
        ``forward(x, guide=None)``: x ``B x C x H x W``, guide
        ``B x in_channels x H x W`` -> ``B x C x N x H x W``.
    """

    def __init__(self,
                 in_channels: int,
                 kernel_size: int = 3,
                 dilation: int = 1,
                 backend: str = 'auto',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        _check_kernel(kernel_size)
        if backend not in BACKENDS:
            raise ValueError(
                f'backend must be one of {BACKENDS}, got {backend!r}')
        if not isinstance(in_channels, int) or in_channels <= 0:
            raise ValueError(
                f'in_channels must be a positive int, got {in_channels!r}')
        if dilation < 1:
            raise ValueError(f'dilation must be >= 1, got {dilation}')
        self.in_channels = in_channels
        self.kernel_size = kernel_size
        self.num_points = kernel_size * kernel_size
        self.dilation = dilation
        self.backend = backend
        self.conv_offset = nn.Conv2d(in_channels, 2 * self.num_points, 1)
        self.conv_mask = nn.Conv2d(in_channels, self.num_points, 1)
        constant_init(self.conv_offset, 0)
        constant_init(self.conv_mask, 0)

    def init_weights(self) -> None:
        super().init_weights()
        constant_init(self.conv_offset, 0)
        constant_init(self.conv_mask, 0)

    def offset_and_mask(self, guide: torch.Tensor):
        """Offsets ``B x 2N x H x W`` (dy, dx) and modulation ``B x N x H x
        W`` in (0, 1)."""
        if guide.dim() != 4 or guide.size(1) != self.in_channels:
            raise ValueError(
                f'DynamicSampler expects a B x {self.in_channels} x H x W '
                f'guide, got {tuple(guide.shape)}')
        return self.conv_offset(guide), torch.sigmoid(self.conv_mask(guide))

    def forward(self,
                x: torch.Tensor,
                guide: Optional[torch.Tensor] = None) -> torch.Tensor:
        if guide is None:
            guide = x
        if x.dim() != 4 or x.shape[0] != guide.shape[0] \
                or x.shape[2:] != guide.shape[2:]:
            raise ValueError(
                'x must be B x C x H x W with the guide\'s B, H, W; got x '
                f'{tuple(x.shape)}, guide {tuple(guide.shape)}')
        offset, mask = self.offset_and_mask(guide)
        return dynamic_sample(x, offset, mask, self.kernel_size,
                              self.dilation, self.backend)

    def extra_repr(self) -> str:
        return (f'num_points={self.num_points}, dilation={self.dilation}, '
                f'backend={self.backend!r}')


# ---------------------------------------------------------------- FLOPs ---
# mmengine's FlopAnalyzer counts multiply-adds; ops it does not know count as
# zero. Bilinear interpolation is 4 multiply-adds per output value, the
# convention mmengine uses for upsample_bilinear2d.


def _shape(val):
    from mmengine.analysis.jit_handles import get_shape
    return get_shape(val)


@register_op_handle('prim::PythonOp.ModulatedDeformConv2dFunction')
def modulated_deform_conv_flop(inputs, outputs) -> int:
    """mmcv's DCNv2 (``modulated_deform_conv2d``): bilinear im2col
    (4 per sampled value) + modulation (1) + the conv's GEMM.

    With the one-hot weight of :func:`sample_mmcv` the GEMM is what the mmcv
    backend really executes (N multiply-adds per output value); the
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
