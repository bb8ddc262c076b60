"""DDSM's memory-lean spatial core (sum of Eq. 2, chunked, recomputed in
backward) against the original einsum core and against an independent
float64 loop over Eq. 1-2; its memory bound; AMP."""
import math

import pytest
import torch
from helpers import load_module

from mmseg_gated.models.layers import DDSM
from mmseg_gated.ops import sampled_attention, sampled_attention_einsum
from mmseg_gated.ops import sampled_attn as core_module

F64 = torch.float64


def _case(b=2, c=4, h=7, w=5, k=3, seed=0, integer=False, spread=6.0):
    g = torch.Generator().manual_seed(seed)
    n = k * k
    q, key, v = (
        torch.randn(b, c, h, w, generator=g, dtype=F64) for _ in range(3))
    # up to +-spread/2 px: some points leave the image
    offset = (torch.rand(b, 2 * n, h, w, generator=g, dtype=F64) - .5) * \
        spread
    if integer:
        offset = offset.round()
    mask = torch.rand(b, n, h, w, generator=g, dtype=F64)
    return [q, key, v, offset, mask]


def _run(fn, inputs, gout, **kwargs):
    xs = [t.clone().requires_grad_() for t in inputs]
    out = fn(*xs, **kwargs)
    (out * gout).sum().backward()
    return [out.detach()] + [t.grad for t in xs]


NAMES = ('out', 'q', 'k', 'v', 'offset', 'mask')


@pytest.mark.parametrize('backend', ['torch', 'mmcv'])
@pytest.mark.parametrize(
    'k,scale,chunk,integer',
    [
        (3, None, 1, False),  # one row per chunk
        (3, 0.25, 300, False),  # a few rows per chunk, scaled
        (3, None, 10**9, True),  # one chunk; integer positions
        (5, None, 1000, False),  # N = 25
    ])
def test_chunked_core_equals_einsum_core(backend, k, scale, chunk, integer):
    """Outputs and every gradient (q, k, v, offsets, modulation) equal the
    original core's to 1e-10 in float64, for both sampler backends."""
    inputs = _case(k=k, integer=integer)
    gout = torch.randn(
        2, 4, 7, 5, dtype=F64, generator=torch.Generator().manual_seed(1))
    common = dict(kernel_size=k, dilation=1, backend=backend, scale=scale)
    new = _run(sampled_attention, inputs, gout, chunk_elements=chunk, **common)
    ref = _run(sampled_attention_einsum, inputs, gout, **common)
    for a, b, name in zip(new, ref, NAMES):
        assert b.abs().max() > 0, name
        torch.testing.assert_close(a, b, atol=1e-10, rtol=0, msg=name)


def _bilinear(img, py, px):
    """img C x H x W at (py, px), zero outside; differentiable in py, px."""
    _, h, w = img.shape
    y0, x0 = math.floor(py.item()), math.floor(px.item())
    val = img.new_zeros(img.shape[0])
    for yy, wy in ((y0, 1 - (py - y0)), (y0 + 1, py - y0)):
        for xx, wx in ((x0, 1 - (px - x0)), (x0 + 1, px - x0)):
            if 0 <= yy < h and 0 <= xx < w:
                val = val + wy * wx * img[:, yy, xx]
    return val


def _loop_reference(q, k, v, offset, mask, kernel_size, scale):
    """Eq. 1 and 2 written out: F(x)_n(p) = x(p + p_n + dp_n) dm_n,
    out(p) = sum_n softmax_n(q(p) . F(k)_n(p)) F(v)_n(p)."""
    b, c, h, w = q.shape
    r = kernel_size // 2
    grid = [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)]
    out = []
    for bi in range(b):
        rows = []
        for i in range(h):
            cols = []
            for j in range(w):
                logits, vals = [], []
                for n, (gy, gx) in enumerate(grid):
                    py = i + gy + offset[bi, 2 * n, i, j]
                    px = j + gx + offset[bi, 2 * n + 1, i, j]
                    m = mask[bi, n, i, j]
                    kn = _bilinear(k[bi], py, px) * m
                    vals.append(_bilinear(v[bi], py, px) * m)
                    logits.append((q[bi, :, i, j] * kn).sum() * scale)
                a = torch.softmax(torch.stack(logits), dim=0)
                cols.append((a.unsqueeze(1) * torch.stack(vals)).sum(0))
            rows.append(torch.stack(cols, dim=1))
        out.append(torch.stack(rows, dim=1))
    return torch.stack(out)


@pytest.mark.parametrize('backend', ['torch', 'mmcv'])
def test_chunked_core_equals_float64_loop(backend):
    """Against an independent loop over Eq. 1-2 (hand bilinear, modulation
    on the sampled vectors, as the paper writes it), off integer
    positions, some points outside the image, chunks of one row."""
    inputs = _case(b=1, c=3, h=3, w=4, seed=2, spread=5.0)
    gout = torch.randn(
        1, 3, 3, 4, dtype=F64, generator=torch.Generator().manual_seed(3))
    new = _run(
        sampled_attention,
        inputs,
        gout,
        kernel_size=3,
        dilation=1,
        backend=backend,
        scale=0.5,
        chunk_elements=1)
    ref = _run(_loop_reference, inputs, gout, kernel_size=3, scale=0.5)
    for a, b, name in zip(new, ref, NAMES):
        assert b.abs().max() > 0, name
        torch.testing.assert_close(a, b, atol=1e-10, rtol=0, msg=name)


def _float64_ddsm(backend, core, **kw):
    torch.manual_seed(0)
    m = DDSM(
        12,
        20,
        16,
        spatial_cfg=dict(num_points=9, backend=backend, core=core, **kw),
        channel_cfg=dict(backend=backend)).double()
    # trained-like sampler: offsets off the grid, modulation not constant
    g = torch.Generator().manual_seed(4)
    sampler = m.spatial_branch.sampler
    for conv in (sampler.conv_offset, sampler.conv_mask):
        conv.weight.data = torch.randn(
            conv.weight.shape, generator=g, dtype=F64) * 0.3
        conv.bias.data = torch.randn(conv.bias.shape, generator=g, dtype=F64)
    return m


@pytest.mark.parametrize('backend', ['torch', 'mmcv'])
def test_ddsm_cores_equal(backend):
    """A whole DDSM (train mode) with either core: output, input gradients
    and the gradients of W_theta, W_phi, W_g and the sampler's offset and
    modulation convs agree to 1e-10 in float64."""
    g = torch.Generator().manual_seed(5)
    x_l = torch.randn(2, 12, 9, 7, generator=g, dtype=F64)
    x_h = torch.randn(2, 20, 5, 4, generator=g, dtype=F64)
    gout = torch.randn(2, 16, 9, 7, generator=g, dtype=F64)
    res = {}
    for core in ('chunked', 'einsum'):
        m = _float64_ddsm(backend, core, chunk_elements=3000)
        xs = [x_l.clone().requires_grad_(), x_h.clone().requires_grad_()]
        out = m(*xs)
        (out * gout).sum().backward()
        grads = {
            n: p.grad
            for n, p in m.spatial_branch.named_parameters()
            if n.split('.')[0] in ('query', 'key', 'value', 'sampler')
        }
        res[core] = (out.detach(), xs[0].grad, xs[1].grad, grads)
    new, ref = res['chunked'], res['einsum']
    for a, b, name in zip(new[:3], ref[:3], ('out', 'x_l', 'x_h')):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=0, msg=name)
    assert len(ref[3]) == 10
    for name, b in ref[3].items():
        assert b.abs().max() > 0, name
        torch.testing.assert_close(
            new[3][name], b, atol=1e-10, rtol=0, msg=name)


def test_chunks_bound_the_sampled_memory(monkeypatch):
    """No sampled tensor larger than ``chunk_elements`` (key + value) is
    made, forward or backward; the einsum core makes the whole one."""
    sizes = []
    real = core_module.sample_rows

    def spy(x, offset, *args, **kwargs):
        out = real(x, offset, *args, **kwargs)
        sizes.append(out.numel())
        return out

    monkeypatch.setattr(core_module, 'sample_rows', spy)
    inputs = _case(b=1, c=8, h=16, w=6, k=5)
    whole = 2 * 8 * 25 * 16 * 6
    chunk = whole // 5
    out = sampled_attention(
        *[t.requires_grad_() for t in inputs],
        kernel_size=5,
        backend='torch',
        chunk_elements=chunk)
    out.sum().backward()
    rows = chunk // (2 * 8 * 25 * 6)  # 3 rows -> 6 chunks
    assert len(sizes) == 2 * math.ceil(16 / rows)  # forward + backward
    assert max(sizes) <= chunk
    assert sum(sizes) == 2 * whole


def test_core_under_bf16_autocast():
    """CPU bfloat16 autocast: the core samples and attends in float32; a
    DDSM trains under it and stays close to its float32 output."""
    torch.manual_seed(0)
    m = DDSM(12, 20, 16, spatial_cfg=dict(num_points=9)).train()
    x_l, x_h = torch.randn(2, 12, 9, 70), torch.randn(2, 20, 5, 35)
    ref = m(x_l, x_h)
    q, k, v, offset, mask = [t.float() for t in _case(b=1, h=3, w=40)]
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = m(x_l, x_h)
        core = sampled_attention(
            q.bfloat16(),
            k.bfloat16(),
            v.bfloat16(),
            offset,
            mask,
            3,
            backend='torch')
    out.float().sum().backward()
    assert core.dtype == torch.float32
    torch.testing.assert_close(
        core,
        sampled_attention(q.bfloat16().float(),
                          k.bfloat16().float(),
                          v.bfloat16().float(), offset, mask, 3),
        atol=1e-5,
        rtol=1e-5)
    assert (out.float() - ref).abs().max() / ref.abs().max() < 0.05
    assert all(p.grad is not None
               for p in m.spatial_branch.sampler.parameters())


def test_core_bad_arguments():
    q, k, v, offset, mask = _case()
    with pytest.raises(ValueError, match='q, k and v'):
        sampled_attention(q, k[:, :3], v, offset, mask, 3)
    with pytest.raises(ValueError, match='offset'):
        sampled_attention(q, k, v, offset[:, :4], mask, 3)
    with pytest.raises(ValueError, match='core'):
        DDSM(8, 8, 8, spatial_cfg=dict(core='loop'))
    with pytest.raises(ValueError, match='chunk_elements'):
        DDSM(8, 8, 8, spatial_cfg=dict(chunk_elements=0))


def test_benchmark_script_runs_one_case():
    """tools/analysis_tools/benchmark_ddsm.py, one tiny case in-process."""
    bench = load_module('benchmark_ddsm',
                        'tools/analysis_tools/benchmark_ddsm.py')
    for extra in ([], ['--core-only']):
        args = bench.parse_args([
            '--channels', '16', '--size', '8', '6', '--repeat', '1',
            '--warmup', '0'
        ] + extra)
        res = bench.run_case(args, 'chunked', 'torch', 9)
        assert res['median_s'] > 0 and res['points'] == 9
        assert res['sampled_mib'] == 8 * 9 * 8 * 6 * 4 / 2**20
