# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from .gate import SpatialGate


@MODELS.register_module()
class GatedScaleTransfer(BaseModule):
    """Unsupervised GSTO around a scale-transfer branch (Eq. 1-2).

    ``y = transfer(g_in * x)`` with ``g_in = sigmoid(conv1x1(x))``; with
    ``out_channels`` set, the branch output is gated again before the caller
    up-samples it: ``y <- g_out * y`` (``g_out = sigmoid(conv1x1(y))``), so
    both the down-sampling (e.g. pooling) and the up-sampling transfer only
    spatially selected features. Used by :class:`GSTOPSPHead` (around every
    pooling branch of the PPM) and :class:`GSTOASPPHead` (image pooling and
    atrous branches).

    Args:
        transfer (nn.Module | dict): The conventional branch (pooling +
            conv, atrous conv ...), a module or a MODELS config.
        in_channels (int): Channels of the branch input.
        out_channels (int, optional): Channels of the branch output; gives a
            second gate before the caller's up-sampling. Default: None.
        gate_norm_cfg (dict, optional): Norm before the sigmoid; the
            authors' variant is ``dict(type='BN')``. Note that a BN on the
            output of a global (1x1) pooling branch needs more than one
            sample per (Sync)BN group in training. Default: None.
        gate_act_cfg (dict, optional): Activation before the sigmoid; the
            authors' variant is ``dict(type='ReLU')``. Default: None.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 transfer: Union[nn.Module, dict],
                 in_channels: int,
                 out_channels: Optional[int] = None,
                 gate_norm_cfg: Optional[dict] = None,
                 gate_act_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(transfer, dict):
            transfer = MODELS.build(transfer)
        if not isinstance(transfer, nn.Module):
            raise TypeError('transfer must be an nn.Module or a config dict, '
                            f'got {type(transfer).__name__}')
        self.transfer = transfer
        self.in_gate = SpatialGate(
            in_channels, norm_cfg=gate_norm_cfg, act_cfg=gate_act_cfg)
        self.out_gate = None
        if out_channels is not None:
            self.out_gate = SpatialGate(
                out_channels, norm_cfg=gate_norm_cfg, act_cfg=gate_act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.transfer(self.in_gate(x) * x)
        if self.out_gate is not None:
            y = self.out_gate(y) * y
        return y
