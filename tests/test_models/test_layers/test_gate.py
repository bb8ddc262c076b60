"""SpatialGate, the shared gate layer."""
import pytest
import torch
import torch.nn.functional as F

from mmseg_gated.models.layers import SpatialGate


def test_gate_is_sigmoid_of_conv():
    torch.manual_seed(0)
    gate = SpatialGate(5, gate_channels=1)
    x = torch.randn(2, 5, 7, 9)
    g = gate(x)
    conv = gate.conv.conv
    expected = torch.sigmoid(F.conv2d(x, conv.weight, conv.bias))
    torch.testing.assert_close(g, expected)
    assert g.shape == (2, 1, 7, 9)
    assert bool((g > 0).all() and (g < 1).all())


def test_gate_with_norm_act_is_at_least_half():
    torch.manual_seed(0)
    gate = SpatialGate(
        4,
        gate_channels=2,
        kernel_size=3,
        norm_cfg=dict(type='BN'),
        act_cfg=dict(type='ReLU'))
    g = gate(torch.randn(2, 4, 6, 6))
    assert g.shape == (2, 2, 6, 6)
    assert bool((g >= 0.5).all() and (g < 1).all())
    g.sum().backward()
    assert gate.conv.conv.weight.grad is not None


def test_gate_errors():
    with pytest.raises(ValueError, match='kernel_size'):
        SpatialGate(4, kernel_size=2)
    with pytest.raises(ValueError, match='in_channels'):
        SpatialGate(0)
    with pytest.raises(ValueError, match='B x 4 x H x W'):
        SpatialGate(4)(torch.randn(1, 3, 5, 5))
