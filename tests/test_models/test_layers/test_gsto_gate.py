"""GSTO gates: unsupervised (Eq. 1-2), supervised (Eq. 3-4), gated transfer."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmseg_gated.models.layers import (GatedScaleTransfer, SpatialGate,
                                       SupervisedGate)


def test_unsupervised_gate_eq1_eq2_by_hand():
    torch.manual_seed(0)
    x = torch.randn(2, 6, 5, 7)
    gst = GatedScaleTransfer(nn.Identity(), 6)
    conv = gst.in_gate.conv.conv
    # Eq. 2: g_ij = sigmoid(sum_m rho_m F_mij (+ bias)); Eq. 1: F^g = g * F
    g = torch.sigmoid(
        torch.einsum('m,bmij->bij', conv.weight[0, :, 0, 0], x) +
        conv.bias[0])[:, None]
    torch.testing.assert_close(gst(x), g * x)
    assert bool((g > 0).all() and (g < 1).all())


def test_gated_transfer_down_and_up():
    torch.manual_seed(0)
    branch = nn.Sequential(nn.AdaptiveAvgPool2d(2), nn.Conv2d(4, 3, 1))
    gst = GatedScaleTransfer(branch, 4, out_channels=3)
    x = torch.randn(2, 4, 8, 8)
    z = branch(gst.in_gate(x) * x)
    torch.testing.assert_close(gst(x), gst.out_gate(z) * z)
    assert gst(x).shape == (2, 3, 2, 2)
    with pytest.raises(TypeError, match='transfer'):
        GatedScaleTransfer(3, 4)


def test_official_gate_is_in_half_one():
    torch.manual_seed(0)
    gate = SpatialGate(8, norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU'))
    for mode in (True, False):
        gate.train(mode)
        g = gate(torch.randn(3, 8, 6, 6) * 5)
        assert bool((g >= 0.5).all() and (g < 1).all())


def test_spatial_gate_stride():
    gate = SpatialGate(3, kernel_size=3, stride=2)
    assert gate(torch.randn(1, 3, 9, 8)).shape == (1, 1, 5, 4)
    with pytest.raises(ValueError, match='stride'):
        SpatialGate(3, stride=3)


def test_supervised_gate_eq3_eq4_by_hand():
    torch.manual_seed(0)
    sg = SupervisedGate(6, num_classes=4)
    x = torch.randn(2, 6, 5, 3)
    g, logits = sg(x)
    w, b = sg.predictor[0].weight[:, :, 0, 0], sg.predictor[0].bias
    p = torch.einsum('nm,bmij->bnij', w, x) + b[None, :, None, None]  # Eq. 3
    theta = sg.gate.conv.conv.weight[0, :, 0, 0]
    g_ref = torch.sigmoid(
        torch.einsum('n,bnij->bij', theta, p) + sg.gate.conv.conv.bias[0])
    torch.testing.assert_close(logits, p)
    torch.testing.assert_close(g, g_ref[:, None])  # Eq. 4


def test_supervised_predictor_receives_the_loss():
    torch.manual_seed(0)
    sg = SupervisedGate(6, num_classes=4)
    x = torch.randn(2, 6, 5, 5)
    target = torch.randint(0, 4, (2, 5, 5))
    _, logits = sg(x)
    F.cross_entropy(logits, target).backward()
    assert sg.predictor[0].weight.grad.abs().sum() > 0
    # and the gate's own path trains through the gated feature
    sg.zero_grad()
    g, _ = sg(x)
    (g * x).sum().backward()
    assert sg.gate.conv.conv.weight.grad.abs().sum() > 0
    assert sg.predictor[0].weight.grad.abs().sum() > 0


def test_supervised_gate_official_layout():
    torch.manual_seed(0)
    sg = SupervisedGate(
        10,
        5,
        predictor_channels=10,
        kernel_size=3,
        num_strides=2,
        norm_cfg=dict(type='BN'),
        act_cfg=dict(type='ReLU'))
    g, logits = sg(torch.randn(2, 10, 17, 16))
    assert logits.shape == (2, 5, 17, 16)
    assert g.shape == (2, 1, 5, 4)  # 17 -> 9 -> 5, 16 -> 8 -> 4
    assert bool((g >= 0.5).all() and (g < 1).all())
    assert len(sg.downsample) == 2  # 5->1 at stride 1, 1->1 at stride 2


def test_supervised_gate_errors():
    with pytest.raises(ValueError, match='num_classes'):
        SupervisedGate(4, 0)
    with pytest.raises(ValueError, match='num_strides'):
        SupervisedGate(4, 3, num_strides=-1)
    with pytest.raises(ValueError, match='B x 4 x H x W'):
        SupervisedGate(4, 3)(torch.randn(1, 5, 4, 4))
