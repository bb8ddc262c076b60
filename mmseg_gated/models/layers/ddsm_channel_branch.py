# Copyright (c) mmseg_gated contributors. All rights reserved.
import math
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.utils import resize

from mmseg_gated.ops.dynamic_sampling import kernel_size_of
from .dynamic_sampler import DynamicSampler


class DDSMChannelBranch(BaseModule):
    """Channel-wise dynamic affinity of :class:`DDSM` (Eq. 3, Fig. 3b).

    ``x_l`` and ``x_h`` are average-pooled to ``a x a`` (``x_l^p``,
    ``x_h^p``) and ``x_h`` to ``value_size`` (``x_h^d``), then projected to
    ``c`` channels by 1x1 convs without norm or activation: query
    ``W_alpha x_l^p``, key ``W_beta(x_l^p || x_h^p)``, value
    ``W_gamma x_h^d``. Keys and values become images of ``sqrt(c) x
    sqrt(c)`` pixels (one pixel per channel, the positions as channels), so
    a :class:`DynamicSampler` picks ``N_c`` channels per channel;
    ``x_C(c) = sum_n softmax_n(q(c) . F(k)_n(c)) F(v)_n(c)``, then a 1x1
    conv (+ norm) back to ``channels``, upsampled to ``x_l``'s size.

    Args:
        channels (int): Width of ``x_l``, ``x_h`` and the output.
        num_points (int): N_c, channels sampled per channel (k x k, odd k).
            Default: 9.
        channel_dim (int): c; a square (the channels form a sqrt(c) x
            sqrt(c) grid). Default: 64.
        pool_size (int): a, pooled size of ``x_l`` and ``x_h``. Default: 8.
        value_size (int): Size ``x_h`` is pooled to for the values.
            Default: 16.
        scaled (bool): Divide the dot products by ``a`` (sqrt of their
            length; not in Eq. 3). Default: False.
        backend (str): :class:`DynamicSampler` backend. Default: 'auto'.
        conv_cfg (dict, optional): Conv config of the output conv.
            Default: None.
        norm_cfg (dict, optional): Norm of the output conv.
            Default: dict(type='BN').
        align_corners (bool): For the upsampling. Default: False.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 channels: int,
                 num_points: int = 9,
                 channel_dim: int = 64,
                 pool_size: int = 8,
                 value_size: int = 16,
                 scaled: bool = False,
                 backend: str = 'auto',
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 align_corners: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        k = kernel_size_of(num_points, 'channel_cfg.num_points')
        side = math.isqrt(channel_dim) if isinstance(channel_dim, int) \
            and channel_dim > 0 else 0
        if side * side != channel_dim:
            raise ValueError(
                'channel_dim must be a square number (its channels are '
                f'sampled on a sqrt(c) x sqrt(c) grid), got {channel_dim!r}')
        if pool_size < 1 or value_size < 1:
            raise ValueError('pool_size and value_size must be >= 1, got '
                             f'{pool_size} and {value_size}')
        self.channels = channels
        self.num_points = num_points
        self.channel_dim = channel_dim
        self.grid_side = side
        self.pool_size = pool_size
        self.value_size = value_size
        self.scaled = scaled
        self.align_corners = align_corners
        # Eq. 3: W_alpha, W_beta, W_gamma on the pooled maps
        self.alpha = nn.Conv2d(channels, channel_dim, 1)
        self.beta = nn.Conv2d(2 * channels, channel_dim, 1)
        self.gamma = nn.Conv2d(channels, channel_dim, 1)
        self.sampler = DynamicSampler(
            pool_size * pool_size, kernel_size=k, backend=backend)
        self.proj = ConvModule(
            channel_dim,
            channels,
            1,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=None)

    def attend(self, x_l: torch.Tensor, x_h: torch.Tensor) -> torch.Tensor:
        """Eq. 3 before the upsampling: ``B x channels x value_size x
        value_size``."""
        b = x_l.size(0)
        c, g, a, t = (self.channel_dim, self.grid_side, self.pool_size,
                      self.value_size)
        low_p = F.adaptive_avg_pool2d(x_l, a)
        high_p = F.adaptive_avg_pool2d(x_h, a)
        high_d = F.adaptive_avg_pool2d(x_h, t)
        query = self.alpha(low_p).flatten(2)  # B x c x a^2
        key = self.beta(torch.cat([low_p, high_p], dim=1))
        value = self.gamma(high_d)
        # channels -> a g x g image whose "channels" are the positions
        key_img = key.flatten(2).transpose(1, 2).reshape(b, a * a, g, g)
        val_img = value.flatten(2).transpose(1, 2).reshape(b, t * t, g, g)
        kv = self.sampler(torch.cat([key_img, val_img], dim=1), guide=key_img)
        kv = kv.flatten(3)  # B x (a^2 + t^2) x N_c x c
        k_s, v_s = kv.split([a * a, t * t], dim=1)
        logits = torch.einsum('bcs,bsnc->bcn', query.to(kv.dtype), k_s)
        if self.scaled:
            logits = logits / math.sqrt(a * a)
        attn = logits.softmax(dim=2)
        out = torch.einsum('bcn,btnc->bct', attn, v_s).to(query.dtype)
        return self.proj(out.reshape(b, c, t, t))

    def forward(self, x_l: torch.Tensor, x_h: torch.Tensor) -> torch.Tensor:
        """``x_l`` B x channels x H x W, ``x_h`` B x channels x h x w ->
        ``x_C``, B x channels x H x W."""
        return resize(
            self.attend(x_l, x_h),
            size=x_l.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)

    def extra_repr(self) -> str:
        return (f'num_points={self.num_points}, channel_dim='
                f'{self.channel_dim}, pool_size={self.pool_size}, '
                f'value_size={self.value_size}, scaled={self.scaled}')
