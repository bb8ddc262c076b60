# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS


@MODELS.register_module()
class SpatialGate(BaseModule):
    """Per-pixel gate ``G = sigmoid(conv(X))`` with values in (0, 1).

    The common building block of the gated papers in this package:

    - GFF, Eq. 5: ``G_l = sigmoid(w_l * X_l)`` with a 1x1 conv to one channel
      (``gate_channels=1``; the authors' code uses 128 channels);
    - GSTO, Eq. 1-2: ``g = sigmoid(conv1x1(F))``; the authors' variant puts
      BN + ReLU before the sigmoid (``norm_cfg=dict(type='BN'),
      act_cfg=dict(type='ReLU')``), so gates lie in [0.5, 1);
    - the last layer of the attention head of hierarchical multi-scale
      attention.

    Args:
        in_channels (int): Channels of the feature the gate is computed from.
        gate_channels (int): Channels of the gate map; 1 broadcasts over the
            gated feature's channels. Default: 1.
        kernel_size (int): Kernel size of the conv. Default: 1.
        stride (int): Stride of the conv; 2 gives a gate at half the input
            resolution (GSTO's official supervised gates downsample the
            prediction with strided 3x3 convs). Default: 1.
        norm_cfg (dict, optional): Norm after the conv (before the sigmoid).
            Default: None.
        act_cfg (dict, optional): Activation after the norm (before the
            sigmoid). Default: None.
        bias (bool | str): Conv bias, as in :class:`mmcv.cnn.ConvModule`.
            Default: 'auto'.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 in_channels: int,
                 gate_channels: int = 1,
                 kernel_size: int = 1,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = None,
                 bias='auto',
                 init_cfg: Optional[dict] = None,
                 stride: int = 1) -> None:
        super().__init__(init_cfg=init_cfg)
        if in_channels <= 0 or gate_channels <= 0:
            raise ValueError('in_channels and gate_channels must be positive, '
                             f'got {in_channels} and {gate_channels}')
        if kernel_size % 2 != 1:
            raise ValueError(f'kernel_size must be odd, got {kernel_size}')
        if stride not in (1, 2):
            raise ValueError(f'stride must be 1 or 2, got {stride}')
        self.in_channels = in_channels
        self.gate_channels = gate_channels
        self.conv = ConvModule(
            in_channels,
            gate_channels,
            kernel_size,
            stride=stride,
            padding=kernel_size // 2,
            bias=bias,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the gate map, ``B x gate_channels x H x W`` in (0, 1)."""
        if x.dim() != 4 or x.size(1) != self.in_channels:
            raise ValueError(
                f'SpatialGate expects B x {self.in_channels} x H x W input, '
                f'got {tuple(x.shape)}')
        return torch.sigmoid(self.conv(x))
