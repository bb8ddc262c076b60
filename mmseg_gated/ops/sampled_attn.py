# Copyright (c) mmseg_gated contributors. All rights reserved.
"""The spatial sum of DDSM's Eq. 2 over dynamically sampled keys and
values, ``out(p) = sum_n softmax_n(s q(p) . F(k)_n(p)) F(v)_n(p)``:
:func:`sampled_attention` (chunked, recomputed in backward, an autograd
Function) and :func:`sampled_attention_einsum` (the whole-image reference).
The module is :class:`mmseg_gated.models.layers.DDSMSpatialBranch`.
"""
import contextlib
from typing import Optional

import torch
from torch.autograd.function import once_differentiable

from .dynamic_sampling import (check_sample_args, compute_dtype,
                               dynamic_sample, resolve_backend, sample_rows)

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
    counted by flop_handles.py). Without this the tracer records
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


# The traced name tells the FLOP counter (flop_handles.py) which sampler runs
# inside.
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
    :func:`sampled_attention`; kept as its reference, and the one an ONNX
    export traces (the chunked core is an autograd Function)."""
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
    check_sample_args(k, offset, mask, kernel_size, rows=k.shape[2])
