"""Gated-SCNN: the Gated Convolutional Layer (Eq. 1-2) and the authors'
gate layout."""
import pytest
import torch
import torch.nn.functional as F

from mmseg_gated.models.layers import (GatedConvLayer,
                                       GSCNNOfficialGatedConvLayer)


def test_gcl_matches_hand_computation():
    torch.manual_seed(0)
    gcl = GatedConvLayer(4, 3)
    gcl.init_weights()
    s = torch.randn(2, 4, 5, 7, requires_grad=True)
    r = torch.randn(2, 1, 5, 7, requires_grad=True)
    out = gcl(s, r)
    alpha = gcl.forward_gate(s, r)
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
    gcl = GSCNNOfficialGatedConvLayer(8, 8)
    for m in gcl.modules():  # non-trivial running statistics
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(-1.5, 1.5)
    gcl.eval()
    s = torch.randn(2, 8, 6, 6, requires_grad=True)
    r = torch.randn(2, 1, 6, 6, requires_grad=True)
    out = gcl(s, r)
    alpha = gcl.forward_gate(s, r)
    assert bool((alpha > 0).all() and (alpha < 1).all())

    # BN(C+1) -> conv -> ReLU -> conv -> BN(1) -> sigmoid, then Eq. 2
    def bn(x, m):
        return F.batch_norm(x, m.running_mean, m.running_var, m.weight, m.bias,
                            False, 0., m.eps)

    bn0, conv1, conv2, bn2 = (gcl.gate[i] for i in (0, 1, 3, 4))
    x = bn(torch.cat([s, r], 1), bn0)
    x = F.relu(F.conv2d(x, conv1.weight, conv1.bias))
    x = bn(F.conv2d(x, conv2.weight, conv2.bias), bn2)
    torch.testing.assert_close(alpha, torch.sigmoid(x))
    torch.testing.assert_close(out, F.conv2d(s * alpha + s, gcl.conv.weight))
    out.sum().backward()
    assert r.grad.abs().sum() > 0 and s.grad.abs().sum() > 0
    # the authors' parameter set (their ``_gate_conv`` indices): BN(9),
    # conv 9->9 with bias, conv 9->1 with bias, BN(1); bias-free output conv
    shapes = {
        k: tuple(v.shape)
        for k, v in gcl.state_dict().items()
        if not k.endswith(('num_batches_tracked', 'running_mean',
                           'running_var'))
    }
    assert shapes == {
        'gate.0.weight': (9, ),
        'gate.0.bias': (9, ),
        'gate.1.weight': (9, 9, 1, 1),
        'gate.1.bias': (9, ),
        'gate.3.weight': (1, 9, 1, 1),
        'gate.3.bias': (1, ),
        'gate.4.weight': (1, ),
        'gate.4.bias': (1, ),
        'conv.weight': (8, 8, 1, 1)
    }


def test_gcl_errors():
    with pytest.raises(ValueError, match='in_channels'):
        GatedConvLayer(0, 4)
    gcl = GatedConvLayer(4, 4)
    with pytest.raises(ValueError, match='B x 4 x H x W'):
        gcl(torch.randn(1, 3, 5, 5), torch.randn(1, 1, 5, 5))
    with pytest.raises(ValueError, match='r of B x 1'):
        gcl(torch.randn(1, 4, 5, 5), torch.randn(1, 1, 4, 5))
