"""Gated-SCNN: the Gated Convolutional Layer (Eq. 1-2)."""
import pytest
import torch
import torch.nn.functional as F

from mmseg_gated.models.layers import GatedConvLayer


def test_gcl_matches_hand_computation():
    torch.manual_seed(0)
    gcl = GatedConvLayer(4, 3)
    gcl.init_weights()
    s = torch.randn(2, 4, 5, 7, requires_grad=True)
    r = torch.randn(2, 1, 5, 7, requires_grad=True)
    out, alpha = gcl(s, r, return_alpha=True)
    conv = gcl.gate.conv.conv
    alpha_hand = torch.sigmoid(
        F.conv2d(torch.cat([s, r], 1), conv.weight, conv.bias))
    torch.testing.assert_close(alpha, alpha_hand)
    assert bool((alpha > 0).all() and (alpha < 1).all())
    out_hand = F.conv2d(s * alpha_hand + s, gcl.conv.weight)
    torch.testing.assert_close(out, out_hand)
    assert out.shape == (2, 3, 5, 7)
    out.square().sum().backward()
    assert s.grad is not None and s.grad.abs().sum() > 0
    assert r.grad is not None and r.grad.abs().sum() > 0


def test_gcl_official_gate():
    torch.manual_seed(0)
    gcl = GatedConvLayer(8, 8, gate_mode='official')
    s = torch.randn(2, 8, 6, 6, requires_grad=True)
    r = torch.randn(2, 1, 6, 6, requires_grad=True)
    out, alpha = gcl(s, r, return_alpha=True)
    assert bool((alpha > 0).all() and (alpha < 1).all())
    # BN(C+1) -> conv -> ReLU -> conv -> BN(1) -> sigmoid, then Eq. 2
    x = gcl.gate_pre[0](torch.cat([s, r], 1))
    c1 = gcl.gate_pre[1].conv
    x = F.relu(F.conv2d(x, c1.weight, c1.bias))
    c2 = gcl.gate.conv
    x = c2.norm(F.conv2d(x, c2.conv.weight, c2.conv.bias))
    torch.testing.assert_close(alpha, torch.sigmoid(x))
    torch.testing.assert_close(out, F.conv2d(s * alpha + s, gcl.conv.weight))
    out.sum().backward()
    assert r.grad.abs().sum() > 0 and s.grad.abs().sum() > 0


def test_gcl_errors():
    with pytest.raises(ValueError, match='gate_mode'):
        GatedConvLayer(4, 4, gate_mode='x')
    with pytest.raises(ValueError, match='in_channels'):
        GatedConvLayer(0, 4)
    gcl = GatedConvLayer(4, 4)
    with pytest.raises(ValueError, match='B x 4 x H x W'):
        gcl(torch.randn(1, 3, 5, 5), torch.randn(1, 1, 5, 5))
    with pytest.raises(ValueError, match='r of B x 1'):
        gcl(torch.randn(1, 4, 5, 5), torch.randn(1, 1, 4, 5))
