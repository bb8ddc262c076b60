"""DynamicSampler (DDSM Eq. 1): both backends against F.unfold, against each
other, against a hand computation, gradcheck; its FLOP handles."""
import pytest
import torch
import torch.nn.functional as F

from mmseg_gated.models.layers import DDSM, DynamicSampler
from mmseg_gated.models.layers.dynamic_sampler import (DEFAULT_BACKEND,
                                                       dynamic_sample,
                                                       sample_mmcv,
                                                       sample_torch)

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
    torch.testing.assert_close(out, _unfold(x, k, dilation), atol=1e-6,
                               rtol=0)


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
    gout = torch.randn(2, 4, k * k, 6, 5, dtype=dtype,
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
        out = fn(x.to(memory_format=torch.channels_last),
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
        torch.testing.assert_close(out, 0.5 * _unfold(x, 3, 1), atol=1e-6,
                                   rtol=0)
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
    x, offset, mask = _random_case(torch.float32)
    out = dynamic_sample(x, offset, mask, 3, 1, 'auto')
    ref = BACKENDS[0 if DEFAULT_BACKEND['cpu'] == 'mmcv' else 1](
        x, offset, mask, 3, 1)
    assert torch.equal(out, ref)


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
        sample_torch(torch.randn(1, 2, 4, 4), torch.zeros(1, 9, 4, 4),
                     torch.ones(1, 9, 4, 4), 3)
    with pytest.raises(ValueError, match='mask'):
        sample_mmcv(torch.randn(1, 2, 4, 4), torch.zeros(1, 18, 4, 4),
                    torch.ones(1, 8, 4, 4), 3)


def _flops(model, inputs, drop=()):
    from mmengine.analysis import FlopAnalyzer

    from mmseg_gated.utils.flops import EXTRA_OP_HANDLES
    handles = {k: v for k, v in EXTRA_OP_HANDLES.items() if k not in drop}
    # a dropped op mmengine knows by itself counts as zero too
    handles.update({k: (lambda i, o: 0) for k in drop if k.startswith('aten::')})
    analyzer = FlopAnalyzer(model, inputs)
    analyzer.set_op_handle(**handles)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer.total(), dict(analyzer.unsupported_ops())


MMCV_OP = 'prim::PythonOp.ModulatedDeformConv2dFunction'


def test_flop_handle_counts_the_mmcv_sampler():
    from mmseg_gated.utils.flops import EXTRA_OP_HANDLES
    assert MMCV_OP in EXTRA_OP_HANDLES
    model = DDSM(16, 16, 16, backend='mmcv').eval()
    inputs = (torch.randn(1, 16, 12, 10), torch.randn(1, 16, 6, 5))
    with torch.no_grad():
        counted, unsupported = _flops(model, inputs)
        without, unsupported_wo = _flops(model, inputs, drop=(MMCV_OP, ))
    # the traced name is the registered one: nothing left uncounted
    assert MMCV_OP not in unsupported
    assert unsupported_wo.get(MMCV_OP) == 2  # spatial + channel sampler
    # spatial: (2 x 8 ch) x 9 points x 120 px x (5 + 9) multiply-adds;
    # channel: (64 + 256) "ch" x 9 x 64 "px" x (5 + 9)
    expected = 16 * 9 * 120 * 14 + 320 * 9 * 64 * 14
    assert counted - without == expected


def test_flop_handle_counts_the_grid_sample_sampler():
    model = DDSM(16, 16, 16, backend='torch').eval()
    inputs = (torch.randn(1, 16, 12, 10), torch.randn(1, 16, 6, 5))
    with torch.no_grad():
        counted, unsupported = _flops(model, inputs)
        without, _ = _flops(model, inputs, drop=('aten::grid_sampler', ))
    assert 'aten::grid_sampler' not in unsupported
    # bilinear: 4 multiply-adds per sampled value, both samplers
    expected = 4 * (16 * 9 * 120 + 320 * 9 * 64)
    assert counted - without == expected
