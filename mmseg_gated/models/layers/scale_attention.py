# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from .gate import SpatialGate


@MODELS.register_module()
class ScaleAttentionHead(BaseModule):
    """Scale-attention head of hierarchical multi-scale attention.

    Implements the attention head of Tao et al., "Hierarchical Multi-Scale
    Attention for Semantic Segmentation" (Fig. 4 / Table 3): ``num_convs``
    3x3 ConvModules (conv + BN + ReLU, ``channels`` wide), then a 1x1 conv and
    a sigmoid (:class:`SpatialGate`, no bias as in the authors' code).

    With ``num_scales=1`` it predicts the *relative* attention ``a_s`` of one
    scale against the next higher one (hierarchical method). With
    ``num_scales=n > 1`` it is the *explicit* attention of Chen et al.
    ("Attention to Scale"): the input is the concatenation of ``n`` scales'
    features (``n * in_channels`` channels) and the output is a softmax over
    the ``n`` scales (Table 3, row "Explicit").

    Args:
        in_channels (int): Channels of one scale's feature.
        channels (int): Width of the 3x3 convs. Default: 256.
        num_convs (int): Number of 3x3 ConvModules (the authors use 2;
            ``MSCALE_INNER_3x3=False`` in their code gives 1). Default: 2.
        num_scales (int): 1 for relative attention, n for explicit attention
            over n scales. Default: 1.
        dropout_ratio (float): Dropout before the last conv. Default: 0.
        conv_cfg (dict, optional): Conv config. Default: None.
        norm_cfg (dict, optional): Norm config. Default: dict(type='BN').
        act_cfg (dict): Activation config. Default: dict(type='ReLU').
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 in_channels: int,
                 channels: int = 256,
                 num_convs: int = 2,
                 num_scales: int = 1,
                 dropout_ratio: float = 0.,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not isinstance(num_scales, int) or num_scales < 1:
            raise ValueError(
                f'num_scales must be a positive int, got {num_scales!r}')
        if num_convs < 0:
            raise ValueError(f'num_convs must be >= 0, got {num_convs}')
        self.in_channels = in_channels
        self.num_scales = num_scales
        conv_in = in_channels * num_scales
        convs = []
        for i in range(num_convs):
            convs.append(
                ConvModule(
                    conv_in if i == 0 else channels,
                    channels,
                    3,
                    padding=1,
                    conv_cfg=conv_cfg,
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg))
        self.convs = nn.Sequential(*convs)
        self.dropout = nn.Dropout2d(dropout_ratio) \
            if dropout_ratio > 0 else nn.Identity()
        self.gate = SpatialGate(
            channels if num_convs > 0 else conv_in, num_scales, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Attention map: ``B x 1 x H x W`` in (0, 1) (relative), or
        ``B x n x H x W`` summing to 1 over the scales (explicit)."""
        expected = self.in_channels * self.num_scales
        if x.dim() != 4 or x.size(1) != expected:
            raise ValueError(
                f'ScaleAttentionHead expects B x {expected} x H x W input '
                f'({self.num_scales} scale(s) x {self.in_channels} channels), '
                f'got {tuple(x.shape)}')
        x = self.dropout(self.convs(x))
        if self.num_scales == 1:
            return self.gate(x)
        # explicit attention: the gate's 1x1 conv, softmax over the scales
        return torch.softmax(self.gate.conv(x), dim=1)
