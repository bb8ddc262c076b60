# Copyright (c) mmseg_gated contributors. All rights reserved.
import math
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from mmseg.models.utils import resize
from mmseg.registry import MODELS

from .dynamic_sampler import DynamicSampler


def _side(num_points: int, name: str) -> int:
    k = math.isqrt(num_points) if isinstance(num_points, int) and \
        num_points > 0 else 0
    if k * k != num_points or k % 2 != 1:
        raise ValueError(f'{name} must be the square of an odd number '
                         f'(k x k sampled points, e.g. 9 or 25), got '
                         f'{num_points!r}')
    return k


@MODELS.register_module()
class DDSM(BaseModule):
    """Dynamic Dual Sampling Module (DDSM, Sec. 2.2, Fig. 3).

    Fuses a high-level feature ``x_h`` into a low-level one ``x_l`` (both first
    reduced to ``channels`` with 1x1 convs where their width differs) and
    returns ``x_l + x_S + x_C``:

    - spatial-wise dynamic affinity (Eq. 2, Fig. 3a): learnable positional
      embeddings are added to ``x_l`` and to ``x_h`` upsampled to ``x_l``'s
      size; query ``W_theta(x_l + e_l)``, key ``W_phi(x_cat)`` with
      ``x_cat = (x_l + e_l) || (x_h + e_h)``, value ``W_g(x_h + e_h)``. For
      every position, the :class:`DynamicSampler` samples N points of key
      and value (same points, predicted from the key),
      ``x_S(p) = sum_n softmax_n(q(p) . F(k)_n(p)) F(v)_n(p)``, then a 1x1
      conv back to ``channels``.
    - channel-wise dynamic affinity (Eq. 3, Fig. 3b): ``x_l`` and ``x_h``
      reduced to ``c`` (64) channels; ``x_l^p, x_h^p`` average-pooled to
      ``a x a``; ``x_h^d`` pooled to ``value_size`` (16 x 16). Keys
      ``W_beta(x_l^p || x_h^p)`` and values ``W_gamma(x_h^d)`` are reshaped to
      images of ``sqrt(c) x sqrt(c)`` pixels (one pixel per channel, the
      spatial positions as channels) so the same sampler picks ``N_c``
      channels per channel; ``x_C(c) = sum_n softmax_n(W_alpha(x_l^p)(c) .
      k_n(c)) v_n(c)``, a 1x1 conv back to ``channels``, upsampled.

    The paper leaves some choices open; ours: q/k/v have
    ``channels // 2`` channels (``key_channels``); dot products are scaled by
    ``1/sqrt(dim)`` (``scaled=True``); the positional embeddings are learned
    on a ``pos_embed_size`` grid and bilinearly resized to the input (any
    input size works); ``a = 8``.

    Args:
        low_channels (int): Channels of ``x_l``.
        high_channels (int): Channels of ``x_h``.
        channels (int): Common width; the output has ``channels`` channels.
        num_points (int): N, spatial points per position (k x k, odd k).
            Default: 9.
        num_channel_points (int): N_c, channels sampled per channel (k x k,
            odd k). Default: 9.
        with_spatial (bool): Use the spatial branch (S). Default: True.
        with_channel (bool): Use the channel branch (C). Default: True.
        key_channels (int, optional): Width of query/key/value of the spatial
            branch. Default: ``channels // 2``.
        channel_dim (int): c of the channel branch; must be a square
            (channels form a sqrt(c) x sqrt(c) grid). Default: 64.
        pool_size (int): a, pooled size of x_l and x_h in the channel
            branch. Default: 8.
        value_size (int): Size x_h is downsampled to for the channel
            branch's values. Default: 16.
        pos_embed_size (tuple[int, int]): Grid of the learned positional
            embeddings. Default: (16, 16).
        scaled (bool): Divide dot products by sqrt(dim). Default: True.
        backend (str): :class:`DynamicSampler` backend. Default: 'auto'.
        conv_cfg (dict, optional): Conv config. Default: None.
        norm_cfg (dict, optional): Norm of the reductions and output convs.
            Default: dict(type='BN').
        act_cfg (dict): Activation of the input reductions.
            Default: dict(type='ReLU').
        align_corners (bool): For the resizes. Default: False.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 low_channels: int,
                 high_channels: int,
                 channels: int,
                 num_points: int = 9,
                 num_channel_points: int = 9,
                 with_spatial: bool = True,
                 with_channel: bool = True,
                 key_channels: Optional[int] = None,
                 channel_dim: int = 64,
                 pool_size: int = 8,
                 value_size: int = 16,
                 pos_embed_size: Union[int, Sequence[int]] = (16, 16),
                 scaled: bool = True,
                 backend: str = 'auto',
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: Optional[dict] = dict(type='ReLU'),
                 align_corners: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, val in (('low_channels', low_channels),
                          ('high_channels', high_channels),
                          ('channels', channels)):
            if not isinstance(val, int) or val <= 0:
                raise ValueError(f'{name} must be a positive int, got {val!r}')
        if not (with_spatial or with_channel):
            raise ValueError('with_spatial and with_channel are both False: '
                             'DDSM would only return x_l')
        self.low_channels = low_channels
        self.high_channels = high_channels
        self.channels = channels
        self.with_spatial = with_spatial
        self.with_channel = with_channel
        self.scaled = scaled
        self.align_corners = align_corners
        common = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)

        self.low_reduce = nn.Identity() if low_channels == channels else \
            ConvModule(low_channels, channels, 1, **common)
        self.high_reduce = nn.Identity() if high_channels == channels else \
            ConvModule(high_channels, channels, 1, **common)

        if with_spatial:
            k = _side(num_points, 'num_points')
            self.num_points = num_points
            key_channels = key_channels or max(channels // 2, 1)
            self.key_channels = key_channels
            if isinstance(pos_embed_size, int):
                pos_embed_size = (pos_embed_size, pos_embed_size)
            self.pos_embed_low = nn.Parameter(
                torch.zeros(1, channels, *pos_embed_size))
            self.pos_embed_high = nn.Parameter(
                torch.zeros(1, channels, *pos_embed_size))
            trunc_normal_(self.pos_embed_low, std=.02)
            trunc_normal_(self.pos_embed_high, std=.02)
            linear = dict(conv_cfg=conv_cfg, norm_cfg=None, act_cfg=None)
            self.query = ConvModule(channels, key_channels, 1, **linear)
            self.key = ConvModule(2 * channels, key_channels, 1, **linear)
            self.value = ConvModule(channels, key_channels, 1, **linear)
            self.spatial_sampler = DynamicSampler(
                key_channels, kernel_size=k, backend=backend)
            self.spatial_out = ConvModule(
                key_channels, channels, 1, conv_cfg=conv_cfg,
                norm_cfg=norm_cfg, act_cfg=None)

        if with_channel:
            kc = _side(num_channel_points, 'num_channel_points')
            self.num_channel_points = num_channel_points
            side = math.isqrt(channel_dim) if isinstance(channel_dim, int) \
                and channel_dim > 0 else 0
            if side * side != channel_dim:
                raise ValueError(
                    'channel_dim must be a square number (its channels are '
                    f'sampled on a sqrt(c) x sqrt(c) grid), got {channel_dim!r}')
            if pool_size < 1 or value_size < 1:
                raise ValueError('pool_size and value_size must be >= 1, got '
                                 f'{pool_size} and {value_size}')
            self.channel_dim = channel_dim
            self.grid_side = side
            self.pool_size = pool_size
            self.value_size = value_size
            self.channel_low = ConvModule(channels, channel_dim, 1, **common)
            self.channel_high = ConvModule(channels, channel_dim, 1, **common)
            self.alpha = nn.Conv2d(channel_dim, channel_dim, 1)
            self.beta = nn.Conv2d(2 * channel_dim, channel_dim, 1)
            self.gamma = nn.Conv2d(channel_dim, channel_dim, 1)
            self.channel_sampler = DynamicSampler(
                pool_size * pool_size, kernel_size=kc, backend=backend)
            self.channel_out = ConvModule(
                channel_dim, channels, 1, conv_cfg=conv_cfg,
                norm_cfg=norm_cfg, act_cfg=None)

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

    def spatial_branch(self, x_l: torch.Tensor,
                       x_h: torch.Tensor) -> torch.Tensor:
        """Eq. 2: ``x_l`` B x C x H x W, ``x_h`` already at H x W."""
        size = x_l.shape[2:]
        pos_l = resize(self.pos_embed_low, size=size, mode='bilinear',
                       align_corners=False)
        pos_h = resize(self.pos_embed_high, size=size, mode='bilinear',
                       align_corners=False)
        x_l = x_l + pos_l
        x_h = x_h + pos_h
        q = self.query(x_l)
        k = self.key(torch.cat([x_l, x_h], dim=1))
        v = self.value(x_h)
        # one set of sampled points for key and value, predicted from the key
        kv = self.spatial_sampler(torch.cat([k, v], dim=1), guide=k)
        k_s, v_s = kv.split(self.key_channels, dim=1)  # B x C' x N x H x W
        logits = torch.einsum('bchw,bcnhw->bnhw', q, k_s)
        if self.scaled:
            logits = logits / math.sqrt(self.key_channels)
        attn = logits.softmax(dim=1)
        out = torch.einsum('bnhw,bcnhw->bchw', attn, v_s)
        return self.spatial_out(out)

    def channel_branch(self, x_l: torch.Tensor,
                       x_h: torch.Tensor) -> torch.Tensor:
        """Eq. 3: returns ``B x channels x value_size x value_size``."""
        b = x_l.size(0)
        c, g, a, t = (self.channel_dim, self.grid_side, self.pool_size,
                      self.value_size)
        low = self.channel_low(x_l)
        high = self.channel_high(x_h)
        low_p = F.adaptive_avg_pool2d(low, a)
        high_p = F.adaptive_avg_pool2d(high, a)
        high_d = F.adaptive_avg_pool2d(high, t)
        query = self.alpha(low_p).flatten(2)  # B x c x a^2
        key = self.beta(torch.cat([low_p, high_p], dim=1))
        value = self.gamma(high_d)
        # channels -> a g x g image whose "channels" are the positions
        key_img = key.flatten(2).transpose(1, 2).reshape(b, a * a, g, g)
        val_img = value.flatten(2).transpose(1, 2).reshape(b, t * t, g, g)
        kv = self.channel_sampler(
            torch.cat([key_img, val_img], dim=1), guide=key_img)
        kv = kv.flatten(3)  # B x (a^2 + t^2) x N_c x c
        k_s, v_s = kv.split([a * a, t * t], dim=1)
        logits = torch.einsum('bcs,bsnc->bcn', query, k_s)
        if self.scaled:
            logits = logits / math.sqrt(a * a)
        attn = logits.softmax(dim=2)
        out = torch.einsum('bcn,btnc->bct', attn, v_s)
        return self.channel_out(out.reshape(b, c, t, t))

    def forward(self, x_l: torch.Tensor, x_h: torch.Tensor) -> torch.Tensor:
        """Args: x_l (B x low_channels x H x W), x_h (B x high_channels x h x
        w), any sizes. Returns ``x_l + x_S + x_C``, B x channels x H x W."""
        self._check(x_l, x_h)
        x_l = self.low_reduce(x_l)
        x_h = self.high_reduce(x_h)
        size = x_l.shape[2:]
        out = x_l
        if self.with_spatial:
            x_h_up = resize(x_h, size=size, mode='bilinear',
                            align_corners=self.align_corners)
            out = out + self.spatial_branch(x_l, x_h_up)
        if self.with_channel:
            out = out + resize(
                self.channel_branch(x_l, x_h), size=size, mode='bilinear',
                align_corners=self.align_corners)
        return out
