"""DynamicSampler (DDSM Eq. 1): both backends against F.unfold, against each
other, against a hand computation, gradcheck; where their offset gradients
differ (integer positions); float32 positions under AMP; row chunks; the
FLOP handles (mmseg_gated/ops/flop_handles.py)."""
import pytest
import torch
import torch.nn.functional as F

from mmseg_gated.models.layers import DDSM, DynamicSampler
from mmseg_gated.ops import (DEFAULT_BACKEND, dynamic_sample, sample_mmcv,
                             sample_rows, sample_torch)

BACKENDS = [sample_mmcv, sample_torch]


def _unfold(x, k, dilation):
    b, c, h, w = x.shape
    pad = dilation * (k - 1) // 2
    cols = F.unfold(x, k, dilation=dilation, padding=pad)
    return cols.view(b, c, k * k, h, w)


@pytest.mark.parametrize('fn', BACKENDS)
@pytest.mark.parametrize('k,dilation,size', [(3, 1, (5, 7)), (5, 1, (6, 3)),
                                             (3, 2, (7, 4)), (1, 1, (1, 1))])
def test_zero_offset_unit_mask_is_unfold(fn, k, dilation, size):
    torch.manual_seed(0)
    x = torch.randn(2, 3, *size)
    n = k * k
    offset = torch.zeros(2, 2 * n, *size)
    mask = torch.ones(2, n, *size)
    out = fn(x, offset, mask, k, dilation)
    assert out.shape == (2, 3, n, *size)
    torch.testing.assert_close(out, _unfold(x, k, dilation), atol=1e-6, rtol=0)


@pytest.mark.parametrize('fn', BACKENDS)
def test_hand_computed_bilinear_point(fn):
    # 1 x 1 kernel: the only point is p + offset; dy=0.5, dx=0.25 at (1, 1)
    x = torch.arange(16.).view(1, 1, 4, 4)  # x[i, j] = 4 i + j
    offset = torch.zeros(1, 2, 4, 4)
    offset[0, 0, 1, 1] = 0.5
    offset[0, 1, 1, 1] = 0.25
    offset[0, 0, 0, 0] = -0.5  # half outside the image: (-0.5, 0)
    mask = torch.full((1, 1, 4, 4), 0.5)
    out = fn(x, offset, mask, 1, 1)[0, 0, 0]
    # bilinear in a linear field: 4 * 1.5 + 1.25 = 7.25, times 0.5
    assert out[1, 1].item() == pytest.approx(0.5 * 7.25)
    # (-0.5, 0): rows -1 (zero) and 0 with weight 0.5 each -> 0.5 * x[0, 0]
    assert out[0, 0].item() == pytest.approx(0.5 * 0.5 * 0.0)
    assert out[2, 3].item() == pytest.approx(0.5 * 11)


def _random_case(dtype, k=3, size=(6, 5), seed=0):
    g = torch.Generator().manual_seed(seed)
    n = k * k
    x = torch.randn(2, 4, *size, generator=g, dtype=dtype)
    # offsets up to +-8 px: many points leave the 6 x 5 image
    offset = (torch.rand(2, 2 * n, *size, generator=g, dtype=dtype) - .5) * 16
    mask = torch.rand(2, n, *size, generator=g, dtype=dtype)
    return x, offset, mask


@pytest.mark.parametrize('dtype,tol', [(torch.float64, 1e-10),
                                       (torch.float32, 1e-5)])
@pytest.mark.parametrize('k', [3, 5])
def test_backends_agree_values_and_grads(dtype, tol, k):
    x, offset, mask = _random_case(dtype, k)
    outs, grads = [], []
    gout = torch.randn(
        2,
        4,
        k * k,
        6,
        5,
        dtype=dtype,
        generator=torch.Generator().manual_seed(1))
    for fn in BACKENDS:
        xs = [t.clone().requires_grad_() for t in (x, offset, mask)]
        out = fn(*xs, k, 1)
        (out * gout).sum().backward()
        outs.append(out.detach())
        grads.append([t.grad for t in xs])
    assert outs[0].abs().sum() > 0
    torch.testing.assert_close(outs[0], outs[1], atol=tol, rtol=0)
    for g_mmcv, g_torch, name in zip(*grads, ('x', 'offset', 'mask')):
        torch.testing.assert_close(
            g_mmcv, g_torch, atol=tol * 10, rtol=tol, msg=name)


def test_non_contiguous_inputs():
    # channels-last strides, as torch.cat of transposed tensors produces
    x, offset, mask = _random_case(torch.float32)
    ref = sample_torch(x, offset, mask, 3, 1)
    for fn in BACKENDS:
        out = fn(
            x.to(memory_format=torch.channels_last),
            offset.to(memory_format=torch.channels_last),
            mask.to(memory_format=torch.channels_last), 3, 1)
        torch.testing.assert_close(out, ref, atol=1e-5, rtol=0)


@pytest.mark.parametrize('fn', BACKENDS)
def test_gradcheck_float64(fn):
    x, offset, mask = _random_case(torch.float64, 3, size=(3, 4), seed=3)
    offset = offset / 4  # keep points near the image: non-trivial gradients
    inputs = [t.requires_grad_() for t in (x, offset, mask)]
    assert torch.autograd.gradcheck(
        lambda a, b, c: fn(a, b, c, 3, 1), inputs, eps=1e-6, atol=1e-5)


def test_module_zero_init_samples_the_grid():
    torch.manual_seed(0)
    for backend in ('mmcv', 'torch', 'auto'):
        sampler = DynamicSampler(4, kernel_size=3, backend=backend)
        x = torch.randn(2, 4, 5, 6)
        out = sampler(x)
        # zero-initialised offsets -> regular grid, modulation sigmoid(0)
        torch.testing.assert_close(
            out, 0.5 * _unfold(x, 3, 1), atol=1e-6, rtol=0)
        # sampling another tensor at the guide's points
        y = torch.randn(2, 7, 5, 6)
        assert sampler(y, guide=x).shape == (2, 7, 9, 5, 6)


def test_module_gradients_reach_offset_and_mask_convs():
    torch.manual_seed(0)
    sampler = DynamicSampler(4, kernel_size=3)
    x = torch.randn(2, 4, 5, 6)
    (sampler(x) * torch.randn(2, 4, 9, 5, 6)).sum().backward()
    for name, p in sampler.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_auto_backend_is_the_measured_default():
    # CPU: grid_sample measured 5.7-5.9x faster (configs/ddsm/README.md)
    assert DEFAULT_BACKEND['cpu'] == 'torch'
    x, offset, mask = _random_case(torch.float32)
    out = dynamic_sample(x, offset, mask, 3, 1, 'auto')
    assert torch.equal(out, sample_torch(x, offset, mask, 3, 1))


def _grads(fn, x, offset, mask, k, gout):
    xs = [t.clone().requires_grad_() for t in (x, offset, mask)]
    out = fn(*xs, k, 1)
    (out * gout).sum().backward()
    return out.detach(), [t.grad for t in xs]


def test_integer_positions_offset_gradient_differs():
    """At integer sample positions (zero offsets) bilinear interpolation has
    no derivative. mmcv takes the forward difference x(p + 1) - x(p) (zero
    outside the image); grid_sample lands a rounding error above or below
    the integer and takes the forward or the backward difference. Values,
    x and mask gradients agree."""
    g = torch.Generator().manual_seed(0)
    h, w = 7, 5
    x = torch.randn(2, 3, h, w, generator=g, dtype=torch.float64)
    offset = torch.zeros(2, 2, h, w, dtype=torch.float64)  # k = 1: N = 1
    mask = torch.rand(2, 1, h, w, generator=g, dtype=torch.float64)
    gout = torch.randn(2, 3, 1, h, w, generator=g, dtype=torch.float64)
    out_m, (gx_m, go_m, gm_m) = _grads(sample_mmcv, x, offset, mask, 1, gout)
    out_t, (gx_t, go_t, gm_t) = _grads(sample_torch, x, offset, mask, 1, gout)
    torch.testing.assert_close(out_m, out_t, atol=1e-12, rtol=0)
    torch.testing.assert_close(gx_m, gx_t, atol=1e-12, rtol=0)
    torch.testing.assert_close(gm_m, gm_t, atol=1e-12, rtol=0)

    # hand: d out / d dy = mask * (x(i + 1, j) - x(i, j)) (forward) or
    # mask * (x(i, j) - x(i - 1, j)) (backward); likewise dx along j
    xp = F.pad(x, (1, 1, 1, 1))
    centre = xp[:, :, 1:-1, 1:-1]
    fwd = [xp[:, :, 2:, 1:-1] - centre, xp[:, :, 1:-1, 2:] - centre]
    bwd = [centre - xp[:, :, :-2, 1:-1], centre - xp[:, :, 1:-1, :-2]]

    def chain(diff):  # sum over channels of gout * mask * difference
        return (gout[:, :, 0] * mask * diff).sum(1)

    for axis in (0, 1):  # dy, dx
        torch.testing.assert_close(
            go_m[:, axis], chain(fwd[axis]), atol=1e-12, rtol=0)
        is_fwd = (go_t[:, axis] - chain(fwd[axis])).abs() < 1e-12
        is_bwd = (go_t[:, axis] - chain(bwd[axis])).abs() < 1e-12
        assert bool((is_fwd | is_bwd).all())
    # and grid_sample does take the backward difference at some positions
    rel = (go_m - go_t).norm() / go_m.norm()
    assert rel > 0.1, rel


def test_integer_positions_module_gradients():
    """DynamicSampler at its zero initialisation (every point at an integer
    position): the offset-conv gradient differs between backends, the
    mask-conv gradient agrees."""
    grads = {}
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 4, 9, 7, generator=g)
    gout = torch.randn(2, 4, 9, 9, 7, generator=g)
    for backend in ('mmcv', 'torch'):
        torch.manual_seed(0)
        sampler = DynamicSampler(4, kernel_size=3, backend=backend)
        (sampler(x) * gout).sum().backward()
        grads[backend] = {n: p.grad for n, p in sampler.named_parameters()}
    for name in ('conv_mask.weight', 'conv_mask.bias'):
        torch.testing.assert_close(
            grads['mmcv'][name], grads['torch'][name], atol=1e-5, rtol=1e-5)
    a, b = grads['mmcv']['conv_offset.weight'], grads['torch'][
        'conv_offset.weight']
    assert (a - b).norm() / a.norm() > 0.1


@pytest.mark.parametrize('fn', BACKENDS)
def test_positions_in_float32_under_autocast(fn):
    """bfloat16 features under CPU autocast: positions are built and
    sampled in float32 (a bfloat16 grid is off by pixels at W = 896), so
    the result equals float32 sampling of the same values."""
    g = torch.Generator().manual_seed(0)
    h, w = 2, 896
    x = torch.randn(1, 2, h, w, generator=g).to(torch.bfloat16)
    offset = (torch.rand(1, 18, h, w, generator=g) - 0.5) * 4
    mask = torch.rand(1, 9, h, w, generator=g)
    ref = fn(x.float(), offset, mask, 3, 1)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = fn(x, offset.bfloat16().float(), mask, 3, 1)
        out_bf16_offsets = fn(x, offset.bfloat16(), mask.bfloat16(), 3, 1)
    assert out.dtype == torch.float32
    torch.testing.assert_close(
        out,
        fn(x.float(),
           offset.bfloat16().float(), mask, 3, 1),
        atol=1e-6,
        rtol=1e-6)
    # bfloat16 offsets: only their own rounding (< 0.016 px at |dp| < 2)
    assert (out_bf16_offsets - ref).abs().max() < 0.1
    assert (out - ref).abs().max() < 0.1


def test_module_offsets_in_float32_under_autocast():
    sampler = DynamicSampler(4, kernel_size=3)
    torch.nn.init.normal_(sampler.conv_offset.weight, std=0.5)
    x = torch.randn(1, 4, 3, 40)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        offset, mask = sampler.offset_and_mask(x.bfloat16())
        out = sampler(x.bfloat16())
    assert offset.dtype == mask.dtype == out.dtype == torch.float32
    ref = sampler(x.bfloat16().float())
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('backend', ['mmcv', 'torch'])
@pytest.mark.parametrize('k,dilation', [(3, 1), (5, 2)])
def test_row_chunks_equal_full_image(backend, k, dilation):
    """sample_rows for query rows r0..r0+R-1 (points anywhere in x) equals
    those rows of the full-image sampling, values and gradients (mmcv: its
    stride and an integer shift of dy pick the rows)."""
    g = torch.Generator().manual_seed(0)
    h, w, n = 9, 5, k * k
    x = torch.randn(2, 3, h, w, generator=g, dtype=torch.float64)
    offset = (torch.rand(2, 2 * n, h, w, generator=g, dtype=torch.float64) -
              .5) * 10
    mask = torch.rand(2, n, h, w, generator=g, dtype=torch.float64)
    gout = torch.randn(2, 3, n, h, w, generator=g, dtype=torch.float64)
    full, grads = _grads(
        lambda a, b, c, kk, d: sample_rows(a, b, c, kk, dilation, backend), x,
        offset, mask, k, gout)
    for rows, r0 in [(1, 0), (1, 8), (2, 3), (4, 5), (7, 1), (9, 0)]:
        sl = slice(r0, r0 + rows)
        xs = [t.clone().requires_grad_() for t in (x, offset, mask)]
        part = sample_rows(xs[0], xs[1][:, :, sl], xs[2][:, :, sl], k,
                           dilation, backend, r0)
        torch.testing.assert_close(part, full[:, :, :, sl], atol=1e-12, rtol=0)
        (part * gout[:, :, :, sl]).sum().backward()
        # offsets and mask of these rows only; x gets what these rows read
        torch.testing.assert_close(
            xs[1].grad[:, :, sl], grads[1][:, :, sl], atol=1e-12, rtol=0)
        torch.testing.assert_close(
            xs[2].grad[:, :, sl], grads[2][:, :, sl], atol=1e-12, rtol=0)
        assert xs[1].grad[:, :, :r0].abs().sum() == 0
    with pytest.raises(ValueError, match='rows'):
        sample_rows(x, offset[:, :, :3], None, k, dilation, backend, 7)


def test_bad_arguments():
    with pytest.raises(ValueError, match='kernel_size'):
        DynamicSampler(4, kernel_size=4)
    with pytest.raises(ValueError, match='backend'):
        DynamicSampler(4, backend='cuda')
    with pytest.raises(ValueError, match='in_channels'):
        DynamicSampler(0)
    sampler = DynamicSampler(4)
    with pytest.raises(ValueError, match='guide'):
        sampler(torch.randn(1, 5, 4, 4))
    with pytest.raises(ValueError, match='offset'):
        sample_torch(
            torch.randn(1, 2, 4, 4), torch.zeros(1, 9, 4, 4),
            torch.ones(1, 9, 4, 4), 3)
    with pytest.raises(ValueError, match='mask'):
        sample_mmcv(
            torch.randn(1, 2, 4, 4), torch.zeros(1, 18, 4, 4),
            torch.ones(1, 8, 4, 4), 3)


def _flops(model, inputs, drop=()):
    from mmengine.analysis import FlopAnalyzer

    from mmseg_gated.utils.flops import EXTRA_OP_HANDLES
    handles = {k: v for k, v in EXTRA_OP_HANDLES.items() if k not in drop}
    # a dropped op mmengine knows by itself counts as zero too
    handles.update(
        {k: (lambda i, o: 0)
         for k in drop if k.startswith('aten::')})
    analyzer = FlopAnalyzer(model, inputs)
    analyzer.set_op_handle(**handles)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer.total(), dict(analyzer.unsupported_ops())


MMCV_OP = 'prim::PythonOp.ModulatedDeformConv2dFunction'


def _ddsm(backend, **spatial):
    """A DDSM with both samplers on ``backend``, in eval mode."""
    return DDSM(
        16,
        16,
        16,
        spatial_cfg=dict(backend=backend, **spatial),
        channel_cfg=dict(backend=backend)).eval()


def test_flop_handle_counts_the_mmcv_sampler():
    from mmseg_gated.ops import FLOP_HANDLES
    from mmseg_gated.utils.flops import EXTRA_OP_HANDLES
    assert EXTRA_OP_HANDLES[MMCV_OP] is FLOP_HANDLES[MMCV_OP]
    model = _ddsm('mmcv')
    inputs = (torch.randn(1, 16, 12, 10), torch.randn(1, 16, 6, 5))
    with torch.no_grad():
        counted, unsupported = _flops(model, inputs)
        without, unsupported_wo = _flops(model, inputs, drop=(MMCV_OP, ))
    # the traced name is the registered one: nothing left uncounted
    assert MMCV_OP not in unsupported
    # the channel sampler (the spatial one runs inside the core's op)
    assert unsupported_wo.get(MMCV_OP) == 1
    # (64 + 256) "ch" x 9 points x 64 "px" x (5 + 9) multiply-adds
    expected = 320 * 9 * 64 * 14
    assert counted - without == expected


def test_flop_handle_counts_the_grid_sample_sampler():
    model = _ddsm('torch')
    inputs = (torch.randn(1, 16, 12, 10), torch.randn(1, 16, 6, 5))
    with torch.no_grad():
        counted, unsupported = _flops(model, inputs)
        without, _ = _flops(model, inputs, drop=('aten::grid_sampler', ))
    assert 'aten::grid_sampler' not in unsupported
    # bilinear: 4 multiply-adds per sampled value; the channel sampler
    # (the spatial one runs inside the core, counted by its own handle)
    expected = 4 * 320 * 9 * 64
    assert counted - without == expected


CORE_OP = 'prim::PythonOp.SampledAttention'


@pytest.mark.parametrize('backend', ['torch', 'mmcv'])
def test_flop_handle_counts_the_spatial_core(backend):
    """The chunked core counts what the einsum core counted: sampling of key
    and value plus the two contractions (C' x N x H x W each)."""
    inputs = (torch.randn(1, 16, 12, 10), torch.randn(1, 16, 6, 5))
    counts = {}
    for core in ('chunked', 'einsum'):
        torch.manual_seed(0)
        model = _ddsm(backend, core=core, chunk_elements=2000)
        with torch.no_grad():
            counts[core] = _flops(model, inputs)
    assert not any(k.startswith(CORE_OP) for k in counts['chunked'][1])
    assert counts['chunked'][0] == counts['einsum'][0]
    op = CORE_OP + backend.replace('mmcv', 'MMCV').replace('torch', 'Torch')
    with torch.no_grad():
        without, unsupported = _flops(
            _ddsm(backend, chunk_elements=2000), inputs, drop=(op, ))
    assert unsupported.get(op) == 1
    # per sampled value: bilinear 4 (+ modulation 1 + one-hot GEMM N, mmcv)
    sampling = 16 * 9 * 120 * (4 if backend == 'torch' else 5 + 9)
    assert counts['chunked'][0] - without == sampling + 2 * 8 * 9 * 120
