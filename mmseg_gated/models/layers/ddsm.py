# Copyright (c) mmseg_gated contributors. All rights reserved.
import contextlib
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
from torch.autograd.function import once_differentiable

from .dynamic_sampler import (DynamicSampler, _check_sample_args,
                              compute_dtype, dynamic_sample, resolve_backend,
                              sample_rows)


def _side(num_points: int, name: str) -> int:
    k = math.isqrt(num_points) if isinstance(num_points, int) and \
        num_points > 0 else 0
    if k * k != num_points or k % 2 != 1:
        raise ValueError(f'{name} must be the square of an odd number '
                         f'(k x k sampled points, e.g. 9 or 25), got '
                         f'{num_points!r}')
    return k


# ------------------------------------------------------ spatial core ---
# softmax_n(q(p) . F(k)_n(p)) F(v)_n(p) of Eq. 2, with the modulation dm_n
# of Eq. 1 applied to the N x H x W logits and weights instead of the
# sampled tensors:  q . (dm_n k_n) = dm_n (q . k_n)  and
# sum_n a_n (dm_n v_n) = sum_n (a_n dm_n) v_n.


def _chunk_rows(b: int, c: int, n: int, h: int, w: int,
                chunk_elements: int) -> int:
    """Query rows per chunk: sampled key + value (2 c x n x rows x w per
    image) of at most ``chunk_elements`` elements, at least one row."""
    return max(1, min(h, chunk_elements // max(1, b * 2 * c * n * w)))


def _attend_rows(q, k_s, v_s, mask, scale):
    """Attention of one chunk. q ``B x C x R x W``; k_s, v_s ``B x C x N x
    R x W`` (unmodulated); mask ``B x N x R x W``. Returns out, dots,
    attn."""
    dots = (q.unsqueeze(2) * k_s).sum(1)  # B x N x R x W
    logits = dots * mask
    if scale is not None:
        logits = logits * scale
    attn = logits.softmax(dim=1)
    out = ((attn * mask).unsqueeze(1) * v_s).sum(2)
    return out, dots, attn


@contextlib.contextmanager
def _untraced():
    """Inside the core's forward, hide the ops from ``torch.jit.trace``:
    the trace shows the core as one op (``prim::PythonOp.SampledAttention*``,
    counted by mmseg_gated/utils/flops.py). Without this the tracer records
    mmcv's nested autograd Function with inputs it never saw and fails."""
    state = torch._C._get_tracing_state()
    if state is None:
        yield
        return
    torch._C._set_tracing_state(None)
    try:
        yield
    finally:
        torch._C._set_tracing_state(state)


class _SampledAttention(torch.autograd.Function):
    """Chunked spatial core: forward keeps one chunk of sampled key and
    value at a time; backward samples each chunk again (recompute) and
    backpropagates through the sampler chunk by chunk."""

    @staticmethod
    def forward(ctx, q, k, v, offset, mask, kernel_size, dilation, backend,
                scale, rows):
        dev = q.device
        dtype = compute_dtype(q, k, v, offset, mask)
        b, c, h, w = q.shape
        n = kernel_size * kernel_size
        with torch.autocast(device_type=dev.type, enabled=False), \
                _untraced():
            kv = torch.cat([k, v], dim=1).to(dtype)
            out = torch.empty(b, c, h, w, dtype=dtype, device=dev)
            dots = torch.empty(b, n, h, w, dtype=dtype, device=dev)
            attn = torch.empty(b, n, h, w, dtype=dtype, device=dev)
            for r0 in range(0, h, rows):
                r1 = min(h, r0 + rows)
                kv_s = sample_rows(kv, offset[:, :, r0:r1], None, kernel_size,
                                   dilation, backend, r0)
                k_s, v_s = kv_s.split(c, dim=1)
                out[:, :, r0:r1], dots[:, :, r0:r1], attn[:, :, r0:r1] = \
                    _attend_rows(q[:, :, r0:r1].to(dtype), k_s, v_s,
                                 mask[:, :, r0:r1].to(dtype), scale)
                del kv_s, k_s, v_s
        ctx.save_for_backward(q, k, v, offset, mask, dots, attn)
        ctx.args = (kernel_size, dilation, backend, scale, rows, dtype)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        q, k, v, offset, mask, dots, attn = ctx.saved_tensors
        kernel_size, dilation, backend, scale, rows, dtype = ctx.args
        need_q, need_k, need_v, need_off, need_mask = \
            ctx.needs_input_grad[:5]
        b, c, h, w = q.shape
        dev = q.device
        s = 1.0 if scale is None else scale
        grad_q = torch.zeros_like(q, dtype=dtype) if need_q else None
        grad_off = torch.zeros_like(offset, dtype=dtype) if need_off \
            else None
        grad_mask = torch.zeros_like(mask, dtype=dtype) if need_mask \
            else None
        grad_kv = None
        with torch.autocast(device_type=dev.type, enabled=False):
            grad_out = grad_out.to(dtype)
            kv = torch.cat([k, v], dim=1).to(dtype).detach()
            kv.requires_grad_(need_k or need_v)
            for r0 in range(0, h, rows):
                r1 = min(h, r0 + rows)
                off = offset[:, :, r0:r1].to(dtype).detach()
                off.requires_grad_(need_off)
                with torch.enable_grad():
                    kv_s = sample_rows(kv, off, None, kernel_size, dilation,
                                       backend, r0)
                k_s, v_s = kv_s.detach().split(c, dim=1)
                g = grad_out[:, :, r0:r1]
                m = mask[:, :, r0:r1].to(dtype)
                a = attn[:, :, r0:r1]
                wgt = a * m
                # out = sum_n wgt_n v_n;  wgt = a m;  a = softmax(s m dots)
                grad_wgt = (g.unsqueeze(2) * v_s).sum(1)  # B x N x R x W
                grad_a = grad_wgt * m
                grad_logit = a * (grad_a - (a * grad_a).sum(1, keepdim=True))
                grad_dots = grad_logit * (s * m)
                if need_mask:
                    grad_mask[:, :, r0:r1] = grad_wgt * a + \
                        grad_logit * (s * dots[:, :, r0:r1])
                if need_q:
                    grad_q[:, :, r0:r1] = (grad_dots.unsqueeze(1) * k_s).sum(2)
                del v_s, k_s
                if kv.requires_grad or need_off:
                    grad_kv_s = torch.empty_like(kv_s)
                    torch.mul(
                        grad_dots.unsqueeze(1),
                        q[:, :, r0:r1].to(dtype).unsqueeze(2),
                        out=grad_kv_s[:, :c])
                    torch.mul(
                        wgt.unsqueeze(1), g.unsqueeze(2), out=grad_kv_s[:, c:])
                    inputs = [t for t in (kv, off) if t.requires_grad]
                    grads = torch.autograd.grad(kv_s, inputs, grad_kv_s)
                    del grad_kv_s
                    if kv.requires_grad:
                        grad_kv = grads[0] if grad_kv is None else \
                            grad_kv.add_(grads[0])
                    if need_off:
                        grad_off[:, :, r0:r1] = grads[-1]
                del kv_s
        grad_k = grad_v = None
        if grad_kv is not None:
            grad_k, grad_v = grad_kv.split(c, dim=1)
            grad_k = grad_k.to(k.dtype) if need_k else None
            grad_v = grad_v.to(v.dtype) if need_v else None
        if grad_q is not None:
            grad_q = grad_q.to(q.dtype)
        if grad_off is not None:
            grad_off = grad_off.to(offset.dtype)
        if grad_mask is not None:
            grad_mask = grad_mask.to(mask.dtype)
        return (grad_q, grad_k, grad_v, grad_off, grad_mask, None, None, None,
                None, None)


# The traced name tells the FLOP counter (mmseg_gated/utils/flops.py) which
# sampler runs inside.
class SampledAttentionTorch(_SampledAttention):
    """:class:`_SampledAttention` with the ``grid_sample`` sampler."""


class SampledAttentionMMCV(_SampledAttention):
    """:class:`_SampledAttention` with mmcv's deformable-conv sampler."""


def sampled_attention(q: torch.Tensor,
                      k: torch.Tensor,
                      v: torch.Tensor,
                      offset: torch.Tensor,
                      mask: torch.Tensor,
                      kernel_size: int,
                      dilation: int = 1,
                      backend: str = 'auto',
                      scale: Optional[float] = None,
                      chunk_elements: int = 2**21) -> torch.Tensor:
    """The sum of Eq. 2 before the output projection, memory-lean:
    ``out(p) = sum_n softmax_n(s q(p) . F(k)_n(p)) F(v)_n(p)``.

    Key and value are sampled at the same points (``offset``, ``mask`` as in
    :func:`dynamic_sample`), a chunk of query rows at a time, and sampled
    again in backward, so no ``C x N x H x W`` tensor is ever whole: memory
    is about ``chunk_elements`` sampled values whatever the image size.
    Equal to :func:`sampled_attention_einsum` (outputs and gradients to
    rounding, tested in float64 for both backends).

    Args:
        q, k, v (Tensor): ``B x C x H x W`` query, key, value.
        offset (Tensor): ``B x 2N x H x W`` sampler offsets.
        mask (Tensor): ``B x N x H x W`` sampler modulation.
        kernel_size (int): k, N = k * k.
        dilation (int): Spacing of the regular grid. Default: 1.
        backend (str): Sampler backend. Default: 'auto'.
        scale (float, optional): Factor of the dot products; None (Eq. 2)
            for none. Default: None.
        chunk_elements (int): Sampled key + value elements per chunk of
            query rows (at least one row). Default: 2**21.

    Returns:
        Tensor: ``B x C x H x W``, float32 (float64 for float64 inputs).
    """
    _check_core_args(q, k, v, offset, mask, kernel_size)
    b, c, h, w = q.shape
    rows = _chunk_rows(b, c, kernel_size * kernel_size, h, w, chunk_elements)
    backend = resolve_backend(backend, q.device)
    fn = SampledAttentionMMCV if backend == 'mmcv' else SampledAttentionTorch
    return fn.apply(q, k, v, offset, mask, kernel_size, dilation, backend,
                    scale, rows)


def sampled_attention_einsum(q: torch.Tensor,
                             k: torch.Tensor,
                             v: torch.Tensor,
                             offset: torch.Tensor,
                             mask: torch.Tensor,
                             kernel_size: int,
                             dilation: int = 1,
                             backend: str = 'auto',
                             scale: Optional[float] = None) -> torch.Tensor:
    """The original core (``core='einsum'``): samples the modulated key and
    value for the whole image (``B x 2C x N x H x W``) and contracts them
    with two einsums. Same arguments and result as
    :func:`sampled_attention`; kept as its reference."""
    _check_core_args(q, k, v, offset, mask, kernel_size)
    c = q.size(1)
    kv = dynamic_sample(
        torch.cat([k, v], dim=1), offset, mask, kernel_size, dilation, backend)
    k_s, v_s = kv.split(c, dim=1)  # B x C x N x H x W
    logits = torch.einsum('bchw,bcnhw->bnhw', q.to(kv.dtype), k_s)
    if scale is not None:
        logits = logits * scale
    attn = logits.softmax(dim=1)
    return torch.einsum('bnhw,bcnhw->bchw', attn, v_s)


def _check_core_args(q, k, v, offset, mask, kernel_size):
    if q.dim() != 4 or q.shape != k.shape or q.shape != v.shape:
        raise ValueError('q, k and v must be B x C x H x W of one shape, got '
                         f'{tuple(q.shape)}, {tuple(k.shape)}, '
                         f'{tuple(v.shape)}')
    _check_sample_args(k, offset, mask, kernel_size, rows=k.shape[2])


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
      and value, ``x_S(p) = sum_n softmax_n(q(p) . F(k)_n(p)) F(v)_n(p)``,
      then a 1x1 conv (+ norm) back to ``channels``. The sum is computed by
      :func:`sampled_attention` a chunk of query rows at a time, so the
      sampled ``C' x N x H x W`` key and value never exist whole.
    - channel-wise dynamic affinity (Eq. 3, Fig. 3b): ``x_l`` and ``x_h``
      average-pooled to ``a x a`` (``x_l^p``, ``x_h^p``) and ``x_h`` to
      ``value_size`` (``x_h^d``), then projected to ``c`` channels by 1x1
      convs: query ``W_alpha x_l^p``, key ``W_beta(x_l^p || x_h^p)``, value
      ``W_gamma x_h^d``. Keys and values are reshaped to images of
      ``sqrt(c) x sqrt(c)`` pixels (one pixel per channel, the spatial
      positions as channels) so the same sampler picks ``N_c`` channels per
      channel; ``x_C(c) = sum_n softmax_n(q(c) . F(k)_n(c)) F(v)_n(c)``, a
      1x1 conv (+ norm) back to ``channels``, upsampled.

    Choices the paper leaves open (ours first, then the other reading):

    - q/k/v width: ``channels // 2`` (``key_channels``); or ``channels``.
    - Output projection: a 1x1 conv + norm from ``key_channels`` (spatial)
      and ``c`` (channel) back to ``channels`` (Fig. 3 shows the sums added
      to ``x_l``, which needs the widths to match); or no projection with
      q/k/v at full width.
    - Scaling: none (Eq. 2 and 3); ``scaled=True`` divides the dot products
      by ``sqrt(dim)`` as in the Transformer the paper cites.
    - Sampled points: key and value share one set, predicted from the key
      (``x_cat^phi``, the only input that sees both levels); or separate
      samplers, or offsets from ``x_l`` / the query.
    - Positional embeddings: learned on a ``pos_embed_size`` grid (16 x 16)
      and bilinearly resized to the input (any size works); or one
      embedding per pixel of a fixed training size.
    - Points outside the image are zero vectors and stay in the softmax
      (logit 0, DCN's zero padding); or they could be masked out.
    - Channel branch: ``a = 8`` and values pooled to 16 x 16 (``pool_size``,
      ``value_size``; the paper gives 16 x 16 and c = 64, not a); pooled
      first and projected after (Eq. 3's ``x_l^alpha = W_alpha x_l^p``;
      pooling and a 1x1 conv commute, so this is the cheap order), with no
      norm or activation (Eq. 3 has none).
    - Placement (the heads): in DeepLabV3+ the DDSM works at the 48
      channels of the stride-4 branch (``c1_channels``) so mmseg's decoder
      is unchanged, or at the ASPP width; the ablation's "second and third
      stages" are read as forming ``x~_2`` and ``x~_3``, or as
      ``x~_3`` and ``x~_4``.

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
        scaled (bool): Divide dot products by sqrt(dim) (not in Eq. 2 and
            3). Default: False.
        backend (str): :class:`DynamicSampler` backend. Default: 'auto'.
        core (str): Spatial core: ``'chunked'`` (:func:`sampled_attention`)
            or ``'einsum'`` (:func:`sampled_attention_einsum`, the original:
            same result, several times the memory: see configs/ddsm/README.md;
            kept as the reference).
            Default: 'chunked'.
        chunk_elements (int): Sampled key + value elements per chunk of the
            spatial core. Default: 2**21.
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
                 scaled: bool = False,
                 backend: str = 'auto',
                 core: str = 'chunked',
                 chunk_elements: int = 2**21,
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
        if not (with_spatial or with_channel):
            raise ValueError('with_spatial and with_channel are both False: '
                             'DDSM would only return x_l')
        if core not in ('chunked', 'einsum'):
            raise ValueError(
                f"core must be 'chunked' or 'einsum', got {core!r}")
        if not isinstance(chunk_elements, int) or chunk_elements < 1:
            raise ValueError('chunk_elements must be a positive int, got '
                             f'{chunk_elements!r}')
        self.low_channels = low_channels
        self.high_channels = high_channels
        self.channels = channels
        self.with_spatial = with_spatial
        self.with_channel = with_channel
        self.scaled = scaled
        self.core = core
        self.chunk_elements = chunk_elements
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
                key_channels,
                channels,
                1,
                conv_cfg=conv_cfg,
                norm_cfg=norm_cfg,
                act_cfg=None)

        if with_channel:
            kc = _side(num_channel_points, 'num_channel_points')
            self.num_channel_points = num_channel_points
            side = math.isqrt(channel_dim) if isinstance(channel_dim, int) \
                and channel_dim > 0 else 0
            if side * side != channel_dim:
                raise ValueError(
                    'channel_dim must be a square number (its channels are '
                    'sampled on a sqrt(c) x sqrt(c) grid), got '
                    f'{channel_dim!r}')
            if pool_size < 1 or value_size < 1:
                raise ValueError('pool_size and value_size must be >= 1, got '
                                 f'{pool_size} and {value_size}')
            self.channel_dim = channel_dim
            self.grid_side = side
            self.pool_size = pool_size
            self.value_size = value_size
            # Eq. 3: W_alpha, W_beta, W_gamma on the pooled maps
            self.alpha = nn.Conv2d(channels, channel_dim, 1)
            self.beta = nn.Conv2d(2 * channels, channel_dim, 1)
            self.gamma = nn.Conv2d(channels, channel_dim, 1)
            self.channel_sampler = DynamicSampler(
                pool_size * pool_size, kernel_size=kc, backend=backend)
            self.channel_out = ConvModule(
                channel_dim,
                channels,
                1,
                conv_cfg=conv_cfg,
                norm_cfg=norm_cfg,
                act_cfg=None)

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
        sampler = self.spatial_sampler
        offset, mask = sampler.offset_and_mask(k)
        scale = 1 / math.sqrt(self.key_channels) if self.scaled else None
        if self.core == 'einsum':
            out = sampled_attention_einsum(q, k, v, offset, mask,
                                           sampler.kernel_size,
                                           sampler.dilation, sampler.backend,
                                           scale)
        else:
            out = sampled_attention(q, k, v, offset, mask, sampler.kernel_size,
                                    sampler.dilation, sampler.backend, scale,
                                    self.chunk_elements)
        return self.spatial_out(out.to(q.dtype))

    def channel_branch(self, x_l: torch.Tensor,
                       x_h: torch.Tensor) -> torch.Tensor:
        """Eq. 3: returns ``B x channels x value_size x value_size``."""
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
        kv = self.channel_sampler(
            torch.cat([key_img, val_img], dim=1), guide=key_img)
        kv = kv.flatten(3)  # B x (a^2 + t^2) x N_c x c
        k_s, v_s = kv.split([a * a, t * t], dim=1)
        logits = torch.einsum('bcs,bsnc->bcn', query.to(kv.dtype), k_s)
        if self.scaled:
            logits = logits / math.sqrt(a * a)
        attn = logits.softmax(dim=2)
        out = torch.einsum('bcn,btnc->bct', attn, v_s).to(query.dtype)
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
            x_h_up = resize(
                x_h,
                size=size,
                mode='bilinear',
                align_corners=self.align_corners)
            out = out + self.spatial_branch(x_l, x_h_up)
        if self.with_channel:
            out = out + resize(
                self.channel_branch(x_l, x_h),
                size=size,
                mode='bilinear',
                align_corners=self.align_corners)
        return out
