"""DDSM (Eq. 2-3): shapes, branches, hand computations at zero offsets,
backend equivalence, gradients, argument errors."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmseg_gated.models.layers import DDSM, DCNFusion


def _ddsm(spatial_cfg=dict(), channel_cfg=dict(), **kwargs):
    torch.manual_seed(0)
    return DDSM(
        low_channels=12,
        high_channels=20,
        channels=16,
        spatial_cfg=spatial_cfg,
        channel_cfg=channel_cfg,
        **kwargs)


def _spatial_only(**kwargs):
    return _ddsm(spatial_cfg=kwargs, channel_cfg=None)


def _channel_only(**kwargs):
    return _ddsm(spatial_cfg=None, channel_cfg=kwargs)


@pytest.mark.parametrize('low,high', [((13, 11), (7, 6)), ((9, 17), (9, 17)),
                                      ((5, 5), (2, 3)), ((1, 3), (1, 1))])
@pytest.mark.parametrize('branches', [(True, True), (True, False),
                                      (False, True)])
def test_output_shape_odd_sizes(low, high, branches):
    m = _ddsm(
        spatial_cfg=dict() if branches[0] else None,
        channel_cfg=dict() if branches[1] else None)
    built = (m.spatial_branch, m.channel_branch)
    assert tuple(b is not None for b in built) == branches
    out = m(torch.randn(2, 12, *low), torch.randn(2, 20, *high))
    assert out.shape == (2, 16, *low)
    assert torch.isfinite(out).all()


def test_n25_and_backends_agree():
    x_l, x_h = torch.randn(2, 12, 9, 7), torch.randn(2, 20, 5, 4)
    outs = []
    for backend in ('mmcv', 'torch'):
        m = _ddsm(
            spatial_cfg=dict(num_points=25, backend=backend),
            channel_cfg=dict(num_points=9, backend=backend)).eval()
        assert m.spatial_branch.sampler.backend == backend
        assert m.channel_branch.sampler.backend == backend
        outs.append(m(x_l, x_h))
    torch.testing.assert_close(outs[0], outs[1], atol=1e-5, rtol=1e-5)


def test_output_is_xl_plus_branches():
    m = _ddsm().eval()
    x_l, x_h = torch.randn(2, 12, 9, 7), torch.randn(2, 20, 5, 4)
    out = m(x_l, x_h)
    xl = m.low_reduce(x_l)
    xh = m.high_reduce(x_h)
    xh_up = F.interpolate(
        xh, size=(9, 7), mode='bilinear', align_corners=False)
    # the spatial branch upsamples x_h itself: as given upsampled
    x_s = m.spatial_branch(xl, xh)
    torch.testing.assert_close(x_s, m.spatial_branch(xl, xh_up))
    x_c = F.interpolate(
        m.channel_branch.attend(xl, xh),
        size=(9, 7),
        mode='bilinear',
        align_corners=False)
    torch.testing.assert_close(m.channel_branch(xl, xh), x_c)
    torch.testing.assert_close(out, xl + x_s + x_c)


@pytest.mark.parametrize('scaled', [False, True])
def test_spatial_branch_by_hand_at_zero_offsets(scaled):
    """Eq. 2 with the sampler on its regular 3x3 grid (mask 0.5); no
    scaling by default, 1/sqrt(d) with ``scaled=True``."""
    m = _spatial_only(scaled=scaled).eval().spatial_branch
    x_l, x_h = torch.randn(1, 16, 6, 5), torch.randn(1, 16, 6, 5)
    got = m(x_l, x_h)

    pos_l = F.interpolate(m.pos_embed_low, (6, 5), mode='bilinear')
    pos_h = F.interpolate(m.pos_embed_high, (6, 5), mode='bilinear')
    xl, xh = x_l + pos_l, x_h + pos_h
    q = F.conv2d(xl, m.query.conv.weight, m.query.conv.bias)
    k = F.conv2d(torch.cat([xl, xh], 1), m.key.conv.weight, m.key.conv.bias)
    v = F.conv2d(xh, m.value.conv.weight, m.value.conv.bias)
    ck = m.key_channels
    scale = 1 / math.sqrt(ck) if scaled else 1.0
    out = torch.zeros(1, ck, 6, 5)
    kp = F.pad(k, (1, 1, 1, 1))
    vp = F.pad(v, (1, 1, 1, 1))
    for i in range(6):
        for j in range(5):
            keys = 0.5 * kp[0, :, i:i + 3, j:j + 3].reshape(ck, 9)
            vals = 0.5 * vp[0, :, i:i + 3, j:j + 3].reshape(ck, 9)
            a = torch.softmax(q[0, :, i, j] @ keys * scale, dim=0)
            out[0, :, i, j] = vals @ a
    torch.testing.assert_close(got, m.proj(out), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('scaled', [False, True])
def test_channel_branch_by_hand_at_zero_offsets(scaled):
    """Eq. 3: pool x_l, x_h to 8x8 (x_h also to 16x16), then project with
    W_alpha, W_beta, W_gamma; channel (i, j) of the 8x8 grid attends to its
    3x3 channel neighbourhood (zero outside the grid, mask 0.5)."""
    m = _channel_only(scaled=scaled).eval().channel_branch
    x_l, x_h = torch.randn(1, 16, 12, 10), torch.randn(1, 16, 20, 18)
    got = m.attend(x_l, x_h)

    # pooling by hand: 12 x 10 -> 8 x 8 with adaptive bins
    def pool(x, size):
        h, w = x.shape[2:]
        out = torch.zeros(x.shape[1], size, size)
        for i in range(size):
            for j in range(size):
                y0, y1 = (i * h) // size, -(-((i + 1) * h) // size)
                x0, x1 = (j * w) // size, -(-((j + 1) * w) // size)
                out[:, i, j] = x[0, :, y0:y1, x0:x1].mean((1, 2))
        return out.reshape(x.shape[1], size * size)

    lp, hp, hd = pool(x_l, 8), pool(x_h, 8), pool(x_h, 16)
    q = m.alpha.weight.view(64, 16) @ lp + m.alpha.bias.view(64, 1)
    k = m.beta.weight.view(64, 32) @ torch.cat([lp, hp]) + \
        m.beta.bias.view(64, 1)
    v = m.gamma.weight.view(64, 16) @ hd + m.gamma.bias.view(64, 1)
    scale = 1 / 8.0 if scaled else 1.0
    out = torch.zeros(64, 256)
    for ch in range(64):
        i, j = divmod(ch, 8)
        keys, vals = [], []
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                ii, jj = i + di, j + dj
                if 0 <= ii < 8 and 0 <= jj < 8:
                    keys.append(0.5 * k[ii * 8 + jj])
                    vals.append(0.5 * v[ii * 8 + jj])
                else:
                    keys.append(torch.zeros(64))
                    vals.append(torch.zeros(256))
        a = torch.softmax(torch.stack(keys) @ q[ch] * scale, dim=0)
        out[ch] = a @ torch.stack(vals)
    torch.testing.assert_close(
        got, m.proj(out.view(1, 64, 16, 16)), atol=1e-5, rtol=1e-5)


def test_channel_branch_is_pool_then_project():
    """Eq. 3 projects the pooled maps: no conv, norm or activation runs at
    the input resolution (x^alpha = W_alpha x_l^p)."""
    m = _channel_only().channel_branch
    assert not hasattr(m, 'channel_low') and not hasattr(m, 'channel_high')
    assert m.alpha.in_channels == 16 and m.beta.in_channels == 32
    assert m.gamma.in_channels == 16
    seen = []
    for name in ('alpha', 'beta', 'gamma'):
        getattr(m, name).register_forward_hook(
            lambda mod, inp, out, name=name: seen.append(
                (name, tuple(inp[0].shape[2:]))))
    m(torch.randn(1, 16, 40, 36), torch.randn(1, 16, 20, 18))
    assert seen == [('alpha', (8, 8)), ('beta', (8, 8)), ('gamma', (16, 16))]


def test_gradients_reach_every_parameter():
    m = _ddsm(spatial_cfg=dict(num_points=25)).train()
    out = m(torch.randn(2, 12, 9, 7), torch.randn(2, 20, 5, 4))
    (out * torch.randn_like(out)).sum().backward()
    for name, p in m.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_bad_arguments():
    with pytest.raises(ValueError, match='channel_dim'):
        _ddsm(channel_cfg=dict(channel_dim=48))
    with pytest.raises(ValueError, match='spatial_cfg.num_points'):
        _ddsm(spatial_cfg=dict(num_points=8))
    with pytest.raises(ValueError, match='channel_cfg.num_points'):
        _ddsm(channel_cfg=dict(num_points=16))
    with pytest.raises(ValueError, match='both None'):
        _ddsm(spatial_cfg=None, channel_cfg=None)
    with pytest.raises(TypeError, match='spatial_cfg'):
        _ddsm(spatial_cfg=dict(channels=8))
    with pytest.raises(TypeError, match='channel_cfg'):
        _ddsm(channel_cfg=dict(type='DDSMChannelBranch'))
    with pytest.raises(TypeError, match='unexpected keyword'):
        _ddsm(spatial_cfg=dict(num_channel_points=9))
    with pytest.raises(ValueError, match='channels'):
        DDSM(12, 20, 0)
    m = _ddsm()
    with pytest.raises(ValueError, match='x_l'):
        m(torch.randn(1, 13, 8, 8), torch.randn(1, 20, 4, 4))
    with pytest.raises(ValueError, match='x_h'):
        m(torch.randn(1, 12, 8, 8), torch.randn(1, 16, 4, 4))
    with pytest.raises(ValueError, match='batch'):
        m(torch.randn(2, 12, 8, 8), torch.randn(1, 20, 4, 4))


def test_channel_dim_other_squares():
    m = _channel_only(channel_dim=16, pool_size=4, value_size=8)
    out = m(torch.randn(1, 12, 9, 7), torch.randn(1, 20, 5, 4))
    assert out.shape == (1, 16, 9, 7)


def test_onnx_export_path(monkeypatch):
    """While ``torch.onnx.export`` runs (``is_in_onnx_export``), the spatial
    branch takes the einsum core and both samplers ``grid_sample``, whatever
    their configuration; the result stays the configured one's."""
    from mmseg_gated.models.layers import ddsm_spatial_branch
    from mmseg_gated.ops import dynamic_sampling
    m = _ddsm(
        spatial_cfg=dict(backend='mmcv'),
        channel_cfg=dict(backend='mmcv')).eval()
    for branch in (m.spatial_branch, m.channel_branch):
        torch.nn.init.normal_(branch.sampler.conv_offset.weight, std=0.3)
    x_l, x_h = torch.randn(1, 12, 9, 7), torch.randn(1, 20, 5, 4)
    backends, cores = [], []
    real_sample = dynamic_sampling._sample

    def sample(*args):
        backends.append(args[5])
        return real_sample(*args)

    def spy(name):
        real = getattr(ddsm_spatial_branch, name)

        def fn(*args):
            cores.append(name)
            return real(*args)

        monkeypatch.setattr(ddsm_spatial_branch, name, fn)

    monkeypatch.setattr(dynamic_sampling, '_sample', sample)
    spy('sampled_attention')
    spy('sampled_attention_einsum')
    with torch.no_grad():
        configured = m(x_l, x_h)
        assert cores == ['sampled_attention'] and set(backends) == {'mmcv'}
        del cores[:], backends[:]
        monkeypatch.setattr(torch.onnx, 'is_in_onnx_export', lambda: True)
        exported = m(x_l, x_h)
    assert cores == ['sampled_attention_einsum']
    assert set(backends) == {'torch'} and len(backends) == 2
    assert m.spatial_branch.sampler.backend == 'mmcv'
    torch.testing.assert_close(exported, configured, atol=1e-5, rtol=1e-5)


def test_dcn_fusion():
    torch.manual_seed(0)
    m = DCNFusion(12, 20, 16).eval()
    x_l, x_h = torch.randn(2, 12, 9, 7), torch.randn(2, 20, 5, 4)
    out = m(x_l, x_h)
    assert out.shape == (2, 16, 9, 7)
    # zero-initialised offsets, modulation 0.5: a plain conv at half weight
    xh = F.interpolate(m.high_reduce(x_h), (9, 7), mode='bilinear')
    conv = m.dcn.conv
    ref = F.conv2d(xh, conv.weight * 0.5, conv.bias, padding=1)
    ref = m.dcn.activate(m.dcn.bn(ref))
    torch.testing.assert_close(
        out, m.low_reduce(x_l) + ref, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match='x_h'):
        m(x_l, torch.randn(2, 19, 5, 4))
