"""Gated-SCNN losses: boundary BCE (Eq. 3), dual-task regularisers
(Eq. 4-6)."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmseg_gated.models.losses import (BoundaryBCELoss, DualTaskBoundaryLoss,
                                       DualTaskConsistencyLoss)
from mmseg_gated.models.losses.dual_task_boundary_loss import \
    boundary_magnitude


def test_bce_class_balanced_hand():
    logits = torch.tensor([[[[0.5, -1.0], [2.0, 0.0]]]], requires_grad=True)
    label = torch.tensor([[[1, 0], [0, 255]]])
    loss = BoundaryBCELoss(loss_weight=1.0)(logits, label)
    # 1 positive, 2 negatives: weights 2/3 (pos) and 1/3 (neg), mean over 3
    bce = lambda x, y: -(y * math.log(1 / (1 + math.exp(-x))) +  # noqa
                         (1 - y) * math.log(1 - 1 / (1 + math.exp(-x))))
    hand = (2 / 3 * bce(0.5, 1) + 1 / 3 * bce(-1.0, 0) +
            1 / 3 * bce(2.0, 0)) / 3
    assert abs(loss.item() - hand) < 1e-6
    loss.backward()
    assert logits.grad[0, 0, 1, 1] == 0  # ignored pixel
    assert BoundaryBCELoss().loss_weight == 20.0


def test_consistency_hand():
    torch.manual_seed(0)
    logits = torch.randn(1, 3, 4, 4, requires_grad=True)
    label = torch.randint(0, 3, (1, 4, 4))
    edge = torch.zeros(1, 1, 4, 4)
    edge[0, 0, 1, :3] = 0.9
    edge[0, 0, 2, 2] = 0.85
    label[0, 1, 0] = 255
    loss = DualTaskConsistencyLoss()(logits, label, edge)
    ce = F.cross_entropy(logits, label, ignore_index=255, reduction='none')
    hand = (ce[0, 1, 1] + ce[0, 1, 2] + ce[0, 2, 2]) / 3
    torch.testing.assert_close(loss, hand)


def test_boundary_magnitude_hand():
    # no smoothing (kernel [1]): a vertical step gives central differences 1
    x = torch.zeros(1, 1, 3, 6)
    x[..., 3:] = 1
    z = boundary_magnitude(x, torch.ones(1), eps=0.)
    expected = torch.zeros(1, 1, 3, 6)
    expected[..., 2:4] = 1 / math.sqrt(2)
    torch.testing.assert_close(z, expected)


def test_dual_boundary_zero_for_perfect_prediction():
    label = torch.zeros(2, 16, 16, dtype=torch.long)
    label[:, :, 8:] = 1
    label[1, 4:8, 2:6] = 2
    logits = F.one_hot(label, 3).permute(0, 3, 1, 2).float() * 50
    logits.requires_grad_(True)
    loss_fn = DualTaskBoundaryLoss(gumbel=False)
    loss = loss_fn(logits, label)
    assert loss.item() < 1e-6
    wrong = torch.roll(logits.detach() / 50, 3, dims=3).requires_grad_(True)
    loss = loss_fn(wrong, label)
    assert loss.item() > 0.05
    loss.backward()
    assert wrong.grad.abs().sum() > 0
    # Gumbel noise in training mode still gives a finite loss and gradients
    loss_fn.train()
    assert torch.isfinite(loss_fn(wrong, label))


@pytest.mark.parametrize('case', ['all_ignore', 'single_class'])
def test_losses_finite_on_degenerate_labels(case):
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 12, 12, requires_grad=True)
    edge_logits = torch.randn(2, 1, 12, 12, requires_grad=True)
    if case == 'all_ignore':
        label = torch.full((2, 12, 12), 255)
        edge_label = torch.full((2, 12, 12), 255)
    else:
        label = torch.full((2, 12, 12), 2)
        edge_label = torch.zeros(2, 12, 12, dtype=torch.long)
    edge_prob = torch.sigmoid(edge_logits) * 0 + 0.95  # all confident
    losses = [
        BoundaryBCELoss()(edge_logits, edge_label),
        DualTaskBoundaryLoss()(logits, label),
        DualTaskConsistencyLoss()(logits, label, edge_prob),
    ]
    total = sum(losses)
    assert all(torch.isfinite(x) for x in losses)
    total.backward()
    assert torch.isfinite(logits.grad).all()
    assert torch.isfinite(edge_logits.grad).all()
    # nothing qualifies for Eq. 6
    zero = DualTaskConsistencyLoss()(logits, label, edge_prob * 0)
    assert zero.item() == 0 and zero.requires_grad


def test_loss_errors():
    with pytest.raises(ValueError, match='threshold'):
        DualTaskConsistencyLoss(threshold=1.5)
    with pytest.raises(ValueError, match='kernel'):
        DualTaskBoundaryLoss(kernel='box')
    with pytest.raises(ValueError, match='edge_logits'):
        BoundaryBCELoss()(torch.zeros(1, 2, 4, 4), torch.zeros(1, 4, 4))
    with pytest.raises(ValueError, match='seg_label values'):
        DualTaskBoundaryLoss()(torch.zeros(1, 2, 4, 4),
                               torch.full((1, 4, 4), 3))
