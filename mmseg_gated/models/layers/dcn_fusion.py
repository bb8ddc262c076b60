# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.utils import resize
from mmseg.registry import MODELS


@MODELS.register_module()
class DCNFusion(BaseModule):
    """The "+DCN" baseline of DDSM's Table 1: ``x_l + DCNv2(up(x_h))``.

    Takes the place of :class:`DDSM` (same call, same reductions): the
    upsampled high-level feature goes through a modulated deformable 3x3
    conv (mmcv's ``DCNv2``, offsets and modulation predicted from its input,
    zero-initialised) before it is added to the low-level feature.

    Args:
        low_channels (int): Channels of ``x_l``.
        high_channels (int): Channels of ``x_h``.
        channels (int): Common width; the output has ``channels`` channels.
        kernel_size (int): Kernel of the deformable conv. Default: 3.
        deform_groups (int): Offset groups of the deformable conv.
            Default: 1.
        conv_cfg (dict, optional): Conv config of the 1x1 reductions.
            Default: None.
        norm_cfg (dict, optional): Norm config. Default: dict(type='BN').
        act_cfg (dict, optional): Activation config. Default:
            dict(type='ReLU').
        align_corners (bool): For the upsampling. Default: False.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 low_channels: int,
                 high_channels: int,
                 channels: int,
                 kernel_size: int = 3,
                 deform_groups: int = 1,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: Optional[dict] = dict(type='ReLU'),
                 align_corners: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, val in (('low_channels', low_channels),
                          ('high_channels', high_channels), ('channels',
                                                             channels)):
            if not isinstance(val, int) or val <= 0:
                raise ValueError(f'{name} must be a positive int, got {val!r}')
        if kernel_size % 2 != 1:
            raise ValueError(f'kernel_size must be odd, got {kernel_size}')
        self.low_channels = low_channels
        self.high_channels = high_channels
        self.channels = channels
        self.align_corners = align_corners
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.low_reduce = nn.Identity() if low_channels == channels else \
            ConvModule(low_channels, channels, 1, **common)
        self.high_reduce = nn.Identity() if high_channels == channels else \
            ConvModule(high_channels, channels, 1, **common)
        self.dcn = ConvModule(
            channels,
            channels,
            kernel_size,
            padding=kernel_size // 2,
            conv_cfg=dict(type='DCNv2', deform_groups=deform_groups),
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)

    def forward(self, x_l: torch.Tensor, x_h: torch.Tensor) -> torch.Tensor:
        if x_l.dim() != 4 or x_l.size(1) != self.low_channels:
            raise ValueError(f'DCNFusion expects x_l of B x '
                             f'{self.low_channels} x H x W, got '
                             f'{tuple(x_l.shape)}')
        if x_h.dim() != 4 or x_h.size(1) != self.high_channels:
            raise ValueError(f'DCNFusion expects x_h of B x '
                             f'{self.high_channels} x h x w, got '
                             f'{tuple(x_h.shape)}')
        x_l = self.low_reduce(x_l)
        x_h = resize(
            self.high_reduce(x_h),
            size=x_l.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)
        return x_l + self.dcn(x_h)
