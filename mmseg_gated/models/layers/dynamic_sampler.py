# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule, constant_init
from mmseg.registry import MODELS

from mmseg_gated.ops.dynamic_sampling import (BACKENDS, check_kernel_size,
                                              dynamic_sample)


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

    Backends. ``'mmcv'``: ``modulated_deform_conv2d`` with a depthwise
    one-hot weight. ``'torch'``: ``F.grid_sample``. They give the same
    values and the same gradients for ``x`` and the modulation. The offset
    gradient differs at integer sample positions, where bilinear
    interpolation has no derivative: mmcv takes the forward difference
    ``x(p + 1) - x(p)``; ``grid_sample`` maps the position to [-1, 1] and
    back, lands a rounding error above or below the integer and takes the
    forward or the backward difference. Every offset sits at an integer
    position at its zero initialisation, so the first step's offset-conv
    gradient differs between backends (0.7 relative in one measurement);
    off the integers the two agree to rounding. ``'auto'`` picks the backend
    measured faster on the input's device
    (:data:`mmseg_gated.ops.DEFAULT_BACKEND`: measured on CPU; CUDA not
    measured, see ``configs/ddsm/README.md``). Under ``torch.onnx.export``
    the sampler uses ``'torch'`` whatever its backend
    (:attr:`active_backend`). The sampling functions are in
    :mod:`mmseg_gated.ops.dynamic_sampling`.

    Under AMP the offsets, the modulation, the sample positions and the
    sampled values are computed in float32 (offsets added to pixel indices
    in bfloat16 are off by up to 6 px at W = 896); the output is float32.

    Args:
        in_channels (int): Channels of the guide the offsets are predicted
            from.
        kernel_size (int): k; N = k * k points. Must be odd. Default: 3.
        dilation (int): Spacing of the regular grid. Default: 1.
        backend (str): ``'mmcv'``, ``'torch'`` or ``'auto'``.
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
        check_kernel_size(kernel_size)
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
        W`` in (0, 1), in the convs' dtype (float32 under AMP)."""
        if guide.dim() != 4 or guide.size(1) != self.in_channels:
            raise ValueError(
                f'DynamicSampler expects a B x {self.in_channels} x H x W '
                f'guide, got {tuple(guide.shape)}')
        # under AMP: float32 (the weights' dtype), not the autocast dtype
        with torch.autocast(device_type=guide.device.type, enabled=False):
            guide = guide.to(self.conv_offset.weight.dtype)
            return self.conv_offset(guide), torch.sigmoid(
                self.conv_mask(guide))

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
        return dynamic_sample(x, offset, mask, self.kernel_size, self.dilation,
                              self.active_backend)

    @property
    def active_backend(self) -> str:
        """The backend a call uses: ``backend``, or ``'torch'`` while
        ``torch.onnx.export`` traces the model (``grid_sample`` exports as
        ONNX ``GridSample``; mmcv's op has no ONNX symbolic)."""
        return 'torch' if torch.onnx.is_in_onnx_export() else self.backend

    def extra_repr(self) -> str:
        return (f'num_points={self.num_points}, dilation={self.dilation}, '
                f'backend={self.backend!r}')
