# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from .gate import SpatialGate


@MODELS.register_module()
class SupervisedGate(BaseModule):
    """Supervised gate of GSTO (Eq. 3-4).

    A light predictor maps the feature ``F`` to class scores ``P`` (Eq. 3,
    ``P = conv1x1(F)`` with ``num_classes`` outputs), which the caller
    supervises with the ground truth; the gate is computed from the
    prediction, ``g = sigmoid(conv1x1(P))`` (Eq. 4). The module returns both
    so that the owner applies ``F_g = g * F`` (Eq. 1) and exposes ``P`` for
    its loss.

    Paper default (``predictor_channels=None, kernel_size=1, num_strides=0``,
    no norm/act): exactly Eq. 3-4. The authors' GSTO-HRNet variant:
    ``predictor_channels=C`` (1x1 conv C->C + BN + ReLU, then 1x1 conv to the
    classes, as their stage heads), ``kernel_size=3``, ``norm_cfg=BN``,
    ``act_cfg=ReLU`` and ``num_strides=k`` strided 3x3 convs that bring the
    gate down ``2**k`` times, to the resolution of the feature it gates.

    Args:
        in_channels (int): Channels of the predictor's input feature.
        num_classes (int): Number of classes ``c_0`` of the prediction.
        predictor_channels (int, optional): Hidden width of a 1x1
            ConvModule before the class conv; None for Eq. 3's single 1x1
            conv. Default: None.
        kernel_size (int): Kernel size of the gate convs. Default: 1.
        num_strides (int): Number of stride-2 gate convs after the first one
            (which maps ``num_classes`` -> 1 at stride 1). Default: 0.
        norm_cfg (dict, optional): Norm of the gate convs (before the
            sigmoid). Default: None.
        act_cfg (dict, optional): Activation of the gate convs. Default: None.
        predictor_norm_cfg (dict): Norm of the predictor's hidden conv.
            Default: dict(type='BN').
        predictor_act_cfg (dict): Activation of the predictor's hidden conv.
            Default: dict(type='ReLU').
        conv_cfg (dict, optional): Conv config. Default: None.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 predictor_channels: Optional[int] = None,
                 kernel_size: int = 1,
                 num_strides: int = 0,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = None,
                 predictor_norm_cfg: dict = dict(type='BN'),
                 predictor_act_cfg: dict = dict(type='ReLU'),
                 conv_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if in_channels <= 0 or num_classes <= 0:
            raise ValueError('in_channels and num_classes must be positive, '
                             f'got {in_channels} and {num_classes}')
        if num_strides < 0:
            raise ValueError(f'num_strides must be >= 0, got {num_strides}')
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_strides = num_strides

        layers = []
        cls_in = in_channels
        if predictor_channels is not None:
            layers.append(
                ConvModule(
                    in_channels,
                    predictor_channels,
                    1,
                    conv_cfg=conv_cfg,
                    norm_cfg=predictor_norm_cfg,
                    act_cfg=predictor_act_cfg))
            cls_in = predictor_channels
        layers.append(nn.Conv2d(cls_in, num_classes, 1))
        self.predictor = nn.Sequential(*layers)

        # Gate convs: num_classes -> 1 at stride 1, then (num_strides) 1 -> 1
        # stride-2 convs; the sigmoid closes the last one (a SpatialGate).
        gate_kw = dict(
            kernel_size=kernel_size, norm_cfg=norm_cfg, act_cfg=act_cfg)
        downs = []
        if num_strides > 0:
            downs.append(
                ConvModule(
                    num_classes,
                    1,
                    kernel_size,
                    padding=kernel_size // 2,
                    conv_cfg=conv_cfg,
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg))
            for _ in range(num_strides - 1):
                downs.append(
                    ConvModule(
                        1,
                        1,
                        kernel_size,
                        stride=2,
                        padding=kernel_size // 2,
                        conv_cfg=conv_cfg,
                        norm_cfg=norm_cfg,
                        act_cfg=act_cfg))
            self.gate = SpatialGate(1, stride=2, **gate_kw)
        else:
            self.gate = SpatialGate(num_classes, **gate_kw)
        self.downsample = nn.Sequential(*downs) if downs else None

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Return ``(gate, logits)``: the gate ``B x 1 x H' x W'`` (H' = H
        / 2**num_strides, rounded up like a 3x3 stride-2 conv) and the class
        scores ``B x num_classes x H x W`` to be supervised."""
        if x.dim() != 4 or x.size(1) != self.in_channels:
            raise ValueError(
                f'SupervisedGate expects B x {self.in_channels} x H x W '
                f'input, got {tuple(x.shape)}')
        logits = self.predictor(x)
        g = logits if self.downsample is None else self.downsample(logits)
        return self.gate(g), logits
