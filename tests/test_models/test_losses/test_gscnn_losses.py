"""Gated-SCNN losses: boundary BCE (Eq. 3), dual-task regularisers
(Eq. 4-6)."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmseg_gated.models.losses import (BoundaryBCELoss, DualTaskBoundaryLoss,
                                       DualTaskConsistencyLoss)
from mmseg_gated.models.losses.dual_task_boundary_loss import \
    boundary_magnitude


def eq5_numpy(prob, onehot, valid, sigma=1.0, t=1e-4):
    """Eq. 4-5 in float64 numpy loops, independent of the torch code:
    Gaussian smoothing (replicate border), central differences,
    ``zeta = |grad| / sqrt(2)``, then the authors' normalisation
    ``0.5 mean_{zeta > t} + 0.5 mean_{zeta_hat > t}`` of ``|zeta - zeta_hat|``
    over valid pixels."""
    r = max(1, math.ceil(2 * sigma))
    k = np.exp(-np.arange(-r, r + 1)**2 / (2 * sigma**2))
    k /= k.sum()

    def zeta(m):  # m: H x W
        h, w = m.shape
        sm = np.zeros((h, w))
        tmp = np.zeros((h, w))
        for y in range(h):
            for x in range(w):
                tmp[y, x] = sum(k[i + r] * m[y, min(max(x + i, 0), w - 1)]
                                for i in range(-r, r + 1))
        for y in range(h):
            for x in range(w):
                sm[y, x] = sum(k[i + r] * tmp[min(max(y + i, 0), h - 1), x]
                               for i in range(-r, r + 1))
        out = np.zeros((h, w))
        for y in range(h):
            for x in range(w):
                gx = sm[y, min(x + 1, w - 1)] - sm[y, max(x - 1, 0)]
                gy = sm[min(y + 1, h - 1), x] - sm[max(y - 1, 0), x]
                out[y, x] = math.sqrt(gx * gx + gy * gy) / math.sqrt(2)
        return out

    terms = []
    for use_pred in (True, False):
        num, den = 0., 0
        for b in range(prob.shape[0]):
            for c in range(prob.shape[1]):
                z, zh = zeta(prob[b, c]), zeta(onehot[b, c])
                sup = (z if use_pred else zh) > t
                sup &= valid[b]
                num += np.abs(z - zh)[sup].sum()
                den += int(sup.sum())
        terms.append(num / max(den, 1))
    return 0.5 * terms[0] + 0.5 * terms[1]


def test_bce_class_balanced_hand():
    logits = torch.tensor([[[[0.5, -1.0], [2.0, 0.0]]]], requires_grad=True)
    label = torch.tensor([[[1, 0], [0, 255]]])
    loss = BoundaryBCELoss(loss_weight=1.0)(logits, label)

    # 1 positive, 2 negatives: weights 2/3 (pos) and 1/3 (neg), mean over 3
    def bce(x, y):
        p = 1 / (1 + math.exp(-x))
        return -(y * math.log(p) + (1 - y) * math.log(1 - p))

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
    with pytest.raises(ValueError, match='sigma'):
        DualTaskBoundaryLoss(sigma=0)
    with pytest.raises(ValueError, match='edge_logits'):
        BoundaryBCELoss()(torch.zeros(1, 2, 4, 4), torch.zeros(1, 4, 4))
    with pytest.raises(ValueError, match='seg_label values'):
        DualTaskBoundaryLoss()(torch.zeros(1, 2, 4, 4), torch.full((1, 4, 4),
                                                                   3))


def test_dual_boundary_matches_numpy_loop():
    """Eq. 5 with the authors' per-map normalisation against an independent
    float64 loop (eval mode: tempered softmax, no Gumbel noise)."""
    torch.manual_seed(0)
    label = torch.zeros(2, 9, 11, dtype=torch.long)
    label[:, :, 6:] = 1
    label[0, 2:5, 1:4] = 2
    label[1, 0, 0] = 255  # ignored: its filter support is left out
    logits = torch.randn(2, 3, 9, 11, dtype=torch.float64)
    logits += 3 * F.one_hot(torch.roll(label.clamp(max=2), 1, 2), 3).permute(
        0, 3, 1, 2)
    loss_fn = DualTaskBoundaryLoss(loss_weight=2.0).eval()
    got = loss_fn(logits, label)
    prob = F.softmax(logits / 0.5, dim=1).numpy()
    lab = label.numpy()
    onehot = np.stack([(lab == c) for c in range(3)], 1).astype(np.float64)
    # valid: no ignored pixel within kernel radius + 1 (= 3) in x and y
    valid = np.ones(lab.shape, bool)
    for b, y, x in zip(*np.nonzero(lab == 255)):
        valid[b, max(y - 3, 0):y + 4, max(x - 3, 0):x + 4] = False
    want = 2.0 * eq5_numpy(prob, onehot, valid)
    assert abs(got.item() - want) < 1e-5 * want, (got.item(), want)
    assert got.dtype == torch.float64


def test_dual_boundary_keeps_its_strength_in_training():
    """With Gumbel noise nearly every position has zeta > 0; the per-map
    normalisation keeps the error on the true boundaries (an earlier
    version's one mean over the union gave 0.018 train vs 0.144 eval)."""
    label = torch.zeros(1, 48, 64, dtype=torch.long)
    for i, x0 in enumerate(range(0, 64, 16)):
        label[:, :, x0:] = i
    label[:, 10:30, 20:40] = 5
    shifted = torch.roll(label, 2, dims=2)  # a 2-px-shifted prediction
    logits = 5. * F.one_hot(shifted, 19).permute(0, 3, 1, 2).float()
    loss_fn = DualTaskBoundaryLoss()
    eval_value = loss_fn.eval()(logits, label).item()
    loss_fn.train()
    torch.manual_seed(0)
    train_value = sum(loss_fn(logits, label).item() for _ in range(4)) / 4
    assert eval_value > 0.1
    assert train_value / eval_value > 0.4, (train_value, eval_value)


def test_losses_take_ignore_index_at_call_time():
    torch.manual_seed(0)
    logits = torch.randn(1, 3, 12, 12)
    label = torch.randint(0, 3, (1, 12, 12))
    label[:, :3] = 255
    other = torch.where(label == 255, torch.full_like(label, 254), label)
    edge = torch.rand(1, 1, 12, 12)
    for loss_fn, extra in ((DualTaskBoundaryLoss().eval(), ()),
                           (DualTaskConsistencyLoss(threshold=0.3), (edge, ))):
        want = loss_fn(logits, label, *extra)
        got = loss_fn(logits, other, *extra, ignore_index=254)
        torch.testing.assert_close(got, want)
        assert want > 0
    # the boundary BCE ignores every label other than 0/1 (its band's
    # ignore value may differ from the head's)
    band = (torch.rand(1, 12, 12) > 0.7).long()
    band[:, :3] = 255
    bce = BoundaryBCELoss()
    torch.testing.assert_close(
        bce(logits[:, :1], band, ignore_index=254),
        bce(logits[:, :1], torch.where(band == 255, 254, band)))
