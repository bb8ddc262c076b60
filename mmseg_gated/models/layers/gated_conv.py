# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from .gate import SpatialGate


@MODELS.register_module()
class GatedConvLayer(BaseModule):
    """Gated Convolutional Layer (GCL) of Gated-SCNN, Eq. 1-2.

    The shape-stream feature ``s`` (C channels) and the gating feature ``r``
    (a side output of the regular stream, usually 1 channel) give the
    attention map ``alpha = sigmoid(C_1x1(s || r))`` (Eq. 1, one 1x1 conv,
    a :class:`SpatialGate`) and the output ``s_hat = ((s * alpha) + s)^T w``
    (Eq. 2), a 1x1 conv without bias.

    The authors' released gate (a deeper stack) is
    :class:`GSCNNOfficialGatedConvLayer`.

    Args:
        in_channels (int): Channels C of the shape-stream feature.
        out_channels (int): Channels of the output (``w``).
        gate_in_channels (int): Channels of the gating feature ``r``.
            Default: 1.
        init_cfg (dict, optional): Initialization config. Default: Xavier
            normal on ``conv`` (as the authors).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        gate_in_channels: int = 1,
        init_cfg: Optional[dict] = dict(
            type='Xavier', distribution='normal', override=dict(name='conv'))
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, val in (('in_channels', in_channels),
                          ('out_channels', out_channels), ('gate_in_channels',
                                                           gate_in_channels)):
            if not isinstance(val, int) or val <= 0:
                raise ValueError(f'{name} must be a positive int, got {val}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.gate_in_channels = gate_in_channels
        self.gate = self.build_gate(in_channels + gate_in_channels)
        self.conv = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def build_gate(self, channels: int) -> nn.Module:
        """The module mapping ``s || r`` (``channels`` wide) to ``alpha``."""
        return SpatialGate(channels, 1)

    def forward_gate(self, s: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        """The attention map ``alpha`` (B x 1 x H x W), Eq. 1."""
        if s.dim() != 4 or s.size(1) != self.in_channels:
            raise ValueError(f'GatedConvLayer expects s of B x '
                             f'{self.in_channels} x H x W, got '
                             f'{tuple(s.shape)}')
        if r.dim() != 4 or r.size(1) != self.gate_in_channels \
                or r.shape[0] != s.shape[0] or r.shape[2:] != s.shape[2:]:
            raise ValueError(f'GatedConvLayer expects r of B x '
                             f'{self.gate_in_channels} x H x W matching s '
                             f'{tuple(s.shape)}, got {tuple(r.shape)}')
        return self.gate(torch.cat([s, r], dim=1))

    def forward(self, s: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        """``conv((s * alpha) + s)``, Eq. 2."""
        alpha = self.forward_gate(s, r)
        return self.conv(s * alpha + s)
