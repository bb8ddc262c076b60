# Copyright (c) mmseg_gated contributors. All rights reserved.
import copy
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from .ddsm_channel_branch import DDSMChannelBranch
from .ddsm_spatial_branch import DDSMSpatialBranch


@MODELS.register_module()
class DDSM(BaseModule):
    """Dynamic Dual Sampling Module (DDSM, Sec. 2.2, Fig. 3).

    Fuses a high-level feature ``x_h`` into a low-level one ``x_l`` (both
    first reduced to ``channels`` by 1x1 convs where their width differs)
    and returns ``x_l + x_S + x_C``: ``x_S`` from the spatial branch
    (:class:`DDSMSpatialBranch`, Eq. 2), ``x_C`` from the channel branch
    (:class:`DDSMChannelBranch`, Eq. 3). The choices the paper leaves open
    and our defaults are listed in ``configs/ddsm/README.md``.

    Args:
        low_channels (int): Channels of ``x_l``.
        high_channels (int): Channels of ``x_h``.
        channels (int): Common width; the output has ``channels`` channels.
        spatial_cfg (dict, optional): Arguments of
            :class:`DDSMSpatialBranch` other than ``channels`` (e.g.
            ``num_points``, N); None: no spatial branch. ``conv_cfg``,
            ``norm_cfg`` and ``align_corners`` default to this module's.
            Default: ``dict()`` (N = 9).
        channel_cfg (dict, optional): Arguments of
            :class:`DDSMChannelBranch` (e.g. ``num_points``, N_c), as
            ``spatial_cfg``; None: no channel branch. Default: ``dict()``
            (N_c = 9).
        conv_cfg (dict, optional): Conv config. Default: None.
        norm_cfg (dict, optional): Norm of the reductions and the branches'
            output convs. Default: dict(type='BN').
        act_cfg (dict, optional): Activation of the reductions.
            Default: dict(type='ReLU').
        align_corners (bool): For the resizes. Default: False.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 low_channels: int,
                 high_channels: int,
                 channels: int,
                 spatial_cfg: Optional[dict] = dict(),
                 channel_cfg: Optional[dict] = dict(),
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
        if spatial_cfg is None and channel_cfg is None:
            raise ValueError('spatial_cfg and channel_cfg are both None: '
                             'DDSM would only return x_l')
        self.low_channels = low_channels
        self.high_channels = high_channels
        self.channels = channels
        self.align_corners = align_corners
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.low_reduce = nn.Identity() if low_channels == channels else \
            ConvModule(low_channels, channels, 1, **common)
        self.high_reduce = nn.Identity() if high_channels == channels else \
            ConvModule(high_channels, channels, 1, **common)

        def branch(cls, cfg, name):
            if cfg is None:
                return None
            if not isinstance(cfg, dict) or 'channels' in cfg \
                    or 'type' in cfg:
                raise TypeError(
                    f'{name} must be None or a dict of {cls.__name__} '
                    f'arguments without channels or type, got {cfg!r}')
            cfg = copy.deepcopy(dict(cfg))
            cfg.setdefault('conv_cfg', conv_cfg)
            cfg.setdefault('norm_cfg', norm_cfg)
            cfg.setdefault('align_corners', align_corners)
            return cls(channels, **cfg)

        self.spatial_branch = branch(DDSMSpatialBranch, spatial_cfg,
                                     'spatial_cfg')
        self.channel_branch = branch(DDSMChannelBranch, channel_cfg,
                                     'channel_cfg')

    def _check(self, x_l: torch.Tensor, x_h: torch.Tensor) -> None:
        if x_l.dim() != 4 or x_l.size(1) != self.low_channels:
            raise ValueError(f'DDSM expects x_l of B x {self.low_channels} x '
                             f'H x W, got {tuple(x_l.shape)}')
        if x_h.dim() != 4 or x_h.size(1) != self.high_channels:
            raise ValueError(f'DDSM expects x_h of B x {self.high_channels} '
                             f'x h x w, got {tuple(x_h.shape)}')
        if x_l.size(0) != x_h.size(0):
            raise ValueError('x_l and x_h must have the same batch size, got '
                             f'{x_l.size(0)} and {x_h.size(0)}')

    def forward(self, x_l: torch.Tensor, x_h: torch.Tensor) -> torch.Tensor:
        """Args: x_l (B x low_channels x H x W), x_h (B x high_channels x h x
        w), any sizes. Returns ``x_l + x_S + x_C``, B x channels x H x W."""
        self._check(x_l, x_h)
        x_l = self.low_reduce(x_l)
        x_h = self.high_reduce(x_h)
        out = x_l
        if self.spatial_branch is not None:
            out = out + self.spatial_branch(x_l, x_h)
        if self.channel_branch is not None:
            out = out + self.channel_branch(x_l, x_h)
        return out
