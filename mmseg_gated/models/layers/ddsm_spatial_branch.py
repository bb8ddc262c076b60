# Copyright (c) mmseg_gated contributors. All rights reserved.
import math
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from mmseg.models.utils import resize

from mmseg_gated.ops import sampled_attention, sampled_attention_einsum
from mmseg_gated.ops.dynamic_sampling import kernel_size_of
from .dynamic_sampler import DynamicSampler


class DDSMSpatialBranch(BaseModule):
    """Spatial-wise dynamic affinity of :class:`DDSM` (Eq. 2, Fig. 3a).

    Learned positional embeddings are added to ``x_l`` and to ``x_h``
    upsampled to ``x_l``'s size; query ``W_theta(x_l + e_l)``, key
    ``W_phi(x_cat)`` with ``x_cat = (x_l + e_l) || (x_h + e_h)``, value
    ``W_g(x_h + e_h)``. A :class:`DynamicSampler` predicts N points per
    position from the key; key and value are sampled there and
    ``x_S(p) = sum_n softmax_n(q(p) . F(k)_n(p)) F(v)_n(p)``, then a 1x1 conv
    (+ norm) back to ``channels``. The sum is
    :func:`mmseg_gated.ops.sampled_attention` (a chunk of query rows at a
    time); under ``torch.onnx.export`` it is
    :func:`mmseg_gated.ops.sampled_attention_einsum` (same result; the
    chunked core is an autograd Function the exporter cannot trace).

    Args:
        channels (int): Width of ``x_l``, ``x_h`` and the output.
        num_points (int): N, points per position (k x k, odd k). Default: 9.
        key_channels (int, optional): Width of query, key and value.
            Default: ``channels // 2``.
        pos_embed_size (int | tuple[int, int]): Grid of the learned
            positional embeddings, bilinearly resized to the input.
            Default: (16, 16).
        scaled (bool): Divide the dot products by sqrt(key_channels) (not in
            Eq. 2). Default: False.
        backend (str): :class:`DynamicSampler` backend. Default: 'auto'.
        core (str): ``'chunked'`` (:func:`sampled_attention`) or
            ``'einsum'`` (:func:`sampled_attention_einsum`: the reference,
            several times the memory). Default: 'chunked'.
        chunk_elements (int): Sampled key + value elements per chunk of the
            chunked core. Default: 2**21.
        conv_cfg (dict, optional): Conv config. Default: None.
        norm_cfg (dict, optional): Norm of the output conv.
            Default: dict(type='BN').
        align_corners (bool): For upsampling ``x_h``. Default: False.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 channels: int,
                 num_points: int = 9,
                 key_channels: Optional[int] = None,
                 pos_embed_size: Union[int, Sequence[int]] = (16, 16),
                 scaled: bool = False,
                 backend: str = 'auto',
                 core: str = 'chunked',
                 chunk_elements: int = 2**21,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 align_corners: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        k = kernel_size_of(num_points, 'spatial_cfg.num_points')
        if core not in ('chunked', 'einsum'):
            raise ValueError(
                f"core must be 'chunked' or 'einsum', got {core!r}")
        if not isinstance(chunk_elements, int) or chunk_elements < 1:
            raise ValueError('chunk_elements must be a positive int, got '
                             f'{chunk_elements!r}')
        key_channels = key_channels or max(channels // 2, 1)
        self.channels = channels
        self.num_points = num_points
        self.key_channels = key_channels
        self.scaled = scaled
        self.core = core
        self.chunk_elements = chunk_elements
        self.align_corners = align_corners
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
        self.sampler = DynamicSampler(
            key_channels, kernel_size=k, backend=backend)
        self.proj = ConvModule(
            key_channels,
            channels,
            1,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=None)

    def forward(self, x_l: torch.Tensor, x_h: torch.Tensor) -> torch.Tensor:
        """``x_l`` B x channels x H x W, ``x_h`` B x channels x h x w ->
        ``x_S``, B x channels x H x W."""
        size = x_l.shape[2:]
        x_h = resize(
            x_h, size=size, mode='bilinear', align_corners=self.align_corners)
        pos_l = resize(
            self.pos_embed_low,
            size=size,
            mode='bilinear',
            align_corners=False)
        pos_h = resize(
            self.pos_embed_high,
            size=size,
            mode='bilinear',
            align_corners=False)
        x_l = x_l + pos_l
        x_h = x_h + pos_h
        q = self.query(x_l)
        k = self.key(torch.cat([x_l, x_h], dim=1))
        v = self.value(x_h)
        # one set of sampled points for key and value, predicted from the key
        sampler = self.sampler
        offset, mask = sampler.offset_and_mask(k)
        scale = 1 / math.sqrt(self.key_channels) if self.scaled else None
        args = (q, k, v, offset, mask, sampler.kernel_size, sampler.dilation,
                sampler.active_backend, scale)
        if self.core == 'einsum' or torch.onnx.is_in_onnx_export():
            out = sampled_attention_einsum(*args)
        else:
            out = sampled_attention(*args, self.chunk_elements)
        return self.proj(out.to(q.dtype))

    def extra_repr(self) -> str:
        return (f'num_points={self.num_points}, key_channels='
                f'{self.key_channels}, scaled={self.scaled}, '
                f'core={self.core!r}')
