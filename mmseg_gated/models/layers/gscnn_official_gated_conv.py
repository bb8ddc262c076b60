# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmseg.registry import MODELS

from .gated_conv import GatedConvLayer


@MODELS.register_module()
class GSCNNOfficialGatedConvLayer(GatedConvLayer):
    """The GCL as the authors' released Gated-SCNN computes it.

    Exists for ``tools/model_converters/gscnn_official.py`` (their
    ``GatedSpatialConv2d``, used by :class:`GSCNNOfficialHead`). The paper's
    gate (Eq. 1) is one 1x1 conv; theirs is a stack
    ``BN(C+1) -> conv1x1(C+1, C+1) -> ReLU -> conv1x1(C+1, 1) -> BN(1) ->
    sigmoid`` (``gate``, an ``nn.Sequential`` indexed as their
    ``_gate_conv``). The output is Eq. 2 as in :class:`GatedConvLayer`.

    Args:
        in_channels (int): Channels C of the shape-stream feature.
        out_channels (int): Channels of the output.
        gate_in_channels (int): Channels of the gating feature. Default: 1.
        norm_cfg (dict): Norm of the gate stack. Default: dict(type='BN').
        act_cfg (dict): Activation inside the gate stack.
            Default: dict(type='ReLU').
        init_cfg (dict, optional): Initialization config. Default: Xavier
            normal on ``conv``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        gate_in_channels: int = 1,
        norm_cfg: dict = dict(type='BN'),
        act_cfg: dict = dict(type='ReLU'),
        init_cfg: Optional[dict] = dict(
            type='Xavier', distribution='normal', override=dict(name='conv'))
    ) -> None:
        # read by build_gate, which the parent's __init__ calls
        self.gate_norm_cfg = norm_cfg
        self.gate_act_cfg = act_cfg
        super().__init__(
            in_channels, out_channels, gate_in_channels, init_cfg=init_cfg)

    def build_gate(self, channels: int) -> nn.Module:
        return nn.Sequential(
            build_norm_layer(self.gate_norm_cfg, channels)[1],
            nn.Conv2d(channels, channels, 1),
            build_activation_layer(self.gate_act_cfg),
            nn.Conv2d(channels, 1, 1),
            build_norm_layer(self.gate_norm_cfg, 1)[1], nn.Sigmoid())
