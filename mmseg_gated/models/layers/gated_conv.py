# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule, build_norm_layer
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from .gate import SpatialGate


@MODELS.register_module()
class GatedConvLayer(BaseModule):
    """Gated Convolutional Layer (GCL) of Gated-SCNN, Eq. 1-2.

    The shape-stream feature ``s`` (C channels) and the gating feature ``r``
    (a side output of the regular stream, usually 1 channel) give the
    attention map ``alpha = sigmoid(C_1x1(s || r))`` (Eq. 1) and the output
    ``s_hat = ((s * alpha) + s)^T w`` (Eq. 2), a 1x1 conv without bias.

    ``gate_mode='paper'`` computes ``alpha`` with one 1x1 conv
    (:class:`SpatialGate`); ``gate_mode='official'`` is the authors' code:
    ``BN(C+1) -> conv1x1(C+1, C+1) -> ReLU -> conv1x1(C+1, 1) -> BN(1) ->
    sigmoid`` (the last conv + BN + sigmoid is a :class:`SpatialGate` with
    norm), for their checkpoints.

    Args:
        in_channels (int): Channels C of the shape-stream feature.
        out_channels (int): Channels of the output (``w``).
        gate_in_channels (int): Channels of the gating feature ``r``.
            Default: 1.
        gate_mode (str): 'paper' or 'official'. Default: 'paper'.
        norm_cfg (dict): Norm of the 'official' gate.
            Default: dict(type='BN').
        act_cfg (dict): Activation of the 'official' gate.
            Default: dict(type='ReLU').
        init_cfg (dict, optional): Initialization config. Default: Xavier
            normal on ``conv`` (as the authors).
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 gate_in_channels: int = 1,
                 gate_mode: str = 'paper',
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = dict(
                     type='Xavier', distribution='normal',
                     override=dict(name='conv'))) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, val in (('in_channels', in_channels),
                          ('out_channels', out_channels),
                          ('gate_in_channels', gate_in_channels)):
            if not isinstance(val, int) or val <= 0:
                raise ValueError(f'{name} must be a positive int, got {val}')
        if gate_mode not in ('paper', 'official'):
            raise ValueError("gate_mode must be 'paper' or 'official', got "
                             f'{gate_mode!r}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.gate_in_channels = gate_in_channels
        self.gate_mode = gate_mode
        cat_channels = in_channels + gate_in_channels
        if gate_mode == 'paper':
            self.gate_pre = nn.Identity()
            self.gate = SpatialGate(cat_channels, 1)
        else:
            self.gate_pre = nn.Sequential(
                build_norm_layer(norm_cfg, cat_channels)[1],
                ConvModule(
                    cat_channels,
                    cat_channels,
                    1,
                    bias=True,
                    norm_cfg=None,
                    act_cfg=act_cfg))
            self.gate = SpatialGate(
                cat_channels, 1, norm_cfg=norm_cfg, act_cfg=None, bias=True)
        self.conv = nn.Conv2d(in_channels, out_channels, 1, bias=False)

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
        return self.gate(self.gate_pre(torch.cat([s, r], dim=1)))

    def forward(self, s: torch.Tensor, r: torch.Tensor,
                return_alpha: bool = False):
        """``conv((s * alpha) + s)``, Eq. 2 (and ``alpha`` if asked)."""
        alpha = self.forward_gate(s, r)
        out = self.conv(s * alpha + s)
        if return_alpha:
            return out, alpha
        return out
