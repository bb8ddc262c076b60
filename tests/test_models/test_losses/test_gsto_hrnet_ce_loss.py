# Copyright (c) mmseg_gated contributors. All rights reserved.
"""HRNetCrossEntropyLoss against a float64 hand computation of HRNet's
``CrossEntropy`` / ``OhemCrossEntropy`` (``lib/core/criterion.py``), and the
measured difference from mmseg's ``class_weight`` / ``OHEMPixelSampler``."""
import math

import pytest
import torch
from mmseg.models.losses import CrossEntropyLoss
from mmseg.structures.sampler import OHEMPixelSampler

import mmseg_gated  # noqa: F401
from mmseg_gated.models.losses import HRNetCrossEntropyLoss

# HRNet lib/datasets/cityscapes.py, class_weights (19 classes)
CITYSCAPES_W = [
    0.8373, 0.918, 0.866, 1.0345, 1.0166, 0.9969, 0.9754, 1.0489, 0.8786,
    1.0023, 0.9539, 0.9843, 1.1116, 0.9037, 1.0865, 1.0955, 1.0865, 1.1529,
    1.0507
]
IGNORE = 255


def _batch(seed, n=3, c=19, h=7, w=9, ignore_frac=0.2):
    """Random logits, about half of the pixels confident (target logit
    +8: probability > 0.9), a fifth of the labels ignored."""
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, h, w, generator=g, dtype=torch.float64) * 2
    label = torch.randint(0, c, (n, h, w), generator=g)
    easy = torch.rand(n, h, w, generator=g) < 0.5
    logits += 8.0 * easy.unsqueeze(1) * torch.nn.functional.one_hot(
        label, c).permute(0, 3, 1, 2)
    label[torch.rand(n, h, w, generator=g) < ignore_frac] = IGNORE
    return logits, label


def _pixels(logits, label, weights):
    """(prob of target, w_y * -log prob) of every non-ignored pixel, in
    HRNet's flattening order (N, H, W), with a plain float64 loop."""
    x = logits.numpy()
    y = label.numpy()
    n, c, h, w = x.shape
    probs, losses, ws = [], [], []
    for b in range(n):
        for i in range(h):
            for j in range(w):
                t = int(y[b, i, j])
                if t == IGNORE:
                    continue
                s = x[b, :, i, j]
                m = max(s)
                lse = m + math.log(sum(math.exp(v - m) for v in s))
                wt = 1.0 if weights is None else weights[t]
                probs.append(math.exp(s[t] - lse))
                losses.append(wt * (lse - s[t]))
                ws.append(wt)
    return probs, losses, ws


def hand_ce(logits, label, weights):
    """HRNet CrossEntropy: nn.CrossEntropyLoss(weight) mean reduction."""
    _, losses, ws = _pixels(logits, label, weights)
    return sum(losses) / sum(ws)


def hand_ohem(logits, label, weights, thresh, min_kept):
    """HRNet OhemCrossEntropy: threshold max(p_sorted[min(min_kept, n-1)],
    thresh), keep p < threshold, plain mean of the weighted pixel losses."""
    probs, losses, _ = _pixels(logits, label, weights)
    ordered = sorted(probs)
    threshold = max(ordered[min(max(1, min_kept), len(ordered) - 1)], thresh)
    kept = [lo for p, lo in zip(probs, losses) if p < threshold]
    return sum(kept) / len(kept), len(kept), len(probs)


@pytest.mark.parametrize('weights', [None, CITYSCAPES_W])
@pytest.mark.parametrize('seed', [0, 1])
def test_ce_matches_hand(weights, seed):
    logits, label = _batch(seed)
    ours = HRNetCrossEntropyLoss(class_weight=weights)(
        logits, label, ignore_index=IGNORE)
    assert abs(ours.item() - hand_ce(logits, label, weights)) < 1e-12


@pytest.mark.parametrize('weights', [None, CITYSCAPES_W])
@pytest.mark.parametrize(
    'thresh, min_kept',
    [
        (0.9, 10),  # threshold 0.9 decides
        (0.001, 60),  # min_kept decides: exactly 60 kept
        (0.9, 10**6),  # min_kept > n: all but the largest probability
    ])
def test_ohem_matches_hand(weights, thresh, min_kept):
    logits, label = _batch(2)
    ours = HRNetCrossEntropyLoss(
        class_weight=weights, ohem_thresh=thresh, min_kept=min_kept)(
            logits, label, ignore_index=IGNORE)
    ref, n_kept, n_valid = hand_ohem(logits, label, weights, thresh, min_kept)
    assert 0 < n_kept < n_valid
    if min_kept == 60:
        assert n_kept == 60
    if min_kept > n_valid:
        assert n_kept == n_valid - 1
    assert abs(ours.item() - ref) < 1e-12


def test_loss_weight_grad_and_all_ignored():
    logits, label = _batch(3)
    logits.requires_grad_(True)
    loss = HRNetCrossEntropyLoss(
        class_weight=CITYSCAPES_W,
        ohem_thresh=0.7,
        min_kept=20,
        loss_weight=0.5)(logits, label)
    ref, _, _ = hand_ohem(logits.detach(), label, CITYSCAPES_W, 0.7, 20)
    assert abs(loss.item() - 0.5 * ref) < 1e-12
    loss.backward()
    assert logits.grad.abs().sum() > 0
    zero = HRNetCrossEntropyLoss()(logits, torch.full_like(label, IGNORE))
    assert zero.item() == 0
    with pytest.raises(ValueError, match='sampler'):
        HRNetCrossEntropyLoss()(logits, label, weight=torch.ones(3, 7, 9))


def test_mmseg_class_weight():
    """mmseg 1.2.2's CrossEntropyLoss(class_weight) averages by the sum of
    the weights, as HRNet, only on labels without ignored pixels: an ignored
    pixel (255) is used as an index into the class weights (IndexError on
    CPU). Hence HRNetCrossEntropyLoss for Cityscapes (always has 255)."""
    logits, label = _batch(0)
    mm = CrossEntropyLoss(class_weight=CITYSCAPES_W, avg_non_ignore=True)
    with pytest.raises(IndexError):
        mm(logits, label, ignore_index=IGNORE)
    full = _batch(0, ignore_frac=0.0)[1]
    got = mm(logits, full, ignore_index=IGNORE).item()
    # mmseg reduces part of it in float32
    assert abs(got - hand_ce(logits, full, CITYSCAPES_W)) < 1e-7


def test_mmseg_ohem_sampler_differs():
    """mmseg's OHEMPixelSampler keeps the same pixels (min_kept per image,
    so HRNet's 60 per batch of 3 = 20 per image) but mmseg's class-weighted
    loss then divides by the weights of all labelled pixels, not by the
    number of kept pixels (measured on a batch without ignored pixels,
    which mmseg's class-weighted loss needs)."""
    logits, label = _batch(2, ignore_frac=0.0)
    ref, n_kept, n_valid = hand_ohem(logits, label, CITYSCAPES_W, 0.001, 60)
    _, _, ws = _pixels(logits, label, CITYSCAPES_W)

    class _Ctx:  # the decode head attributes the sampler reads
        ignore_index = IGNORE
        loss_decode = None

    sampler = OHEMPixelSampler(_Ctx(), thresh=0.001, min_kept=20)
    seg_weight = sampler.sample(logits, label.unsqueeze(1))
    assert int(seg_weight.sum().item()) == n_kept == 60
    mm = CrossEntropyLoss(
        class_weight=CITYSCAPES_W, avg_non_ignore=True)(
            logits, label, weight=seg_weight, ignore_index=IGNORE).item()
    rel = abs(mm - ref) / ref
    assert rel > 0.1  # measured 0.68 on this batch (60 of 189 kept)
    assert abs(mm * sum(ws) / n_kept - ref) < 1e-6 * ref  # float32 inside
    assert n_valid == len(ws) == label.numel()
