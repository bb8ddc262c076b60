"""The parts of the Gated-SCNN authors' training recipe, each against a
float64 numpy loop written from their definition (nv-tlabs/GSCNN
``loss.py``, ``my_functionals/DualTaskLoss.py``, ``datasets/edge_utils.py``,
``transforms/transforms.py``): the per-image class-weighted cross-entropy,
their edge BCE, their dual-task loss, their edge-attention loss, their edge
ground truth and the random Gaussian blur."""
import math
import os.path as osp
from unittest import mock

import numpy as np
import pytest
import torch
from mmseg.registry import MODELS, TRANSFORMS

import mmseg_gated  # noqa: F401
from mmseg_gated.datasets.transforms import (GenerateOneHotEdgeMap,
                                             RandomGaussianBlur)
from mmseg_gated.datasets.transforms.one_hot_edge_map import one_hot_edge_map
from mmseg_gated.models.losses import (BoundaryBCELoss,
                                       DualTaskConsistencyLoss,
                                       DualTaskProbabilityL1Loss,
                                       ImageBasedCrossEntropyLoss)


def make_case(seed=0, n=3, c=5, h=7, w=9, ignore=255):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2, (n, c, h, w))
    labels = rng.integers(0, c, (n, h, w))
    labels[rng.random((n, h, w)) < 0.2] = ignore
    labels[0][labels[0] == 1] = 2  # class 1 absent from image 0
    return logits, labels


def log_softmax_np(v):
    m = max(v)
    return [x - m - math.log(sum(math.exp(y - m) for y in v)) for x in v]


def image_ce_np(logits, labels, ub=1.0, ignore=255, reduce='sum'):
    """ImageBasedCrossEntropyLoss2d by hand: per image, weights
    1 + ub * (1 - f_c) for present classes (1 for absent), weighted NLL
    over labelled pixels / sum of their weights; summed over images."""
    n, c, h, w = logits.shape
    per_image = []
    for i in range(n):
        valid = [(y, x) for y in range(h) for x in range(w)
                 if labels[i, y, x] != ignore]
        counts = [0] * c
        for y, x in valid:
            counts[labels[i, y, x]] += 1
        wt = [1 + ub * (1 - k / len(valid)) if k else 1. for k in counts]
        num = den = 0.
        for y, x in valid:
            k = labels[i, y, x]
            num -= wt[k] * log_softmax_np(list(logits[i, :, y, x]))[k]
            den += wt[k]
        per_image.append(num / den if valid else 0.)
    return sum(per_image) if reduce == 'sum' else sum(per_image) / n


@pytest.mark.parametrize('reduce', ['sum', 'mean'])
def test_image_based_ce_matches_hand_computation(reduce):
    logits, labels = make_case()
    loss = MODELS.build(
        dict(
            type='ImageBasedCrossEntropyLoss',
            upper_bound=1.5,
            image_reduction=reduce))
    assert loss.loss_name == 'loss_ce'
    got = loss(torch.from_numpy(logits), torch.from_numpy(labels))
    want = image_ce_np(logits, labels, ub=1.5, reduce=reduce)
    assert abs(got.item() - want) <= 1e-12 * abs(want)
    # a plain mean CE is a different number (the weighting matters)
    plain = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits), torch.from_numpy(labels), ignore_index=255)
    assert abs(plain.item() - want) > 1e-3


def test_image_based_ce_ignore_index_at_call_time_and_empty_image():
    logits, labels = make_case(seed=1, ignore=200)
    labels[1] = 200  # an image without labelled pixels contributes 0
    loss = ImageBasedCrossEntropyLoss()
    got = loss(
        torch.from_numpy(logits).requires_grad_(),
        torch.from_numpy(labels),
        ignore_index=200)
    want = image_ce_np(logits, labels, ignore=200)
    assert abs(got.item() - want) <= 1e-12 * abs(want)
    got.backward()  # finite gradients
    with pytest.raises(ValueError):
        loss(
            torch.zeros(1, 2, 3, 3),
            torch.zeros(1, 3, 3).long(), torch.ones(1, 3, 3))


def test_edge_bce_double_sigmoid_matches_hand_computation():
    rng = np.random.default_rng(2)
    logits = rng.normal(0, 2, (2, 1, 6, 8))
    target = (rng.random((2, 1, 6, 8)) < 0.3).astype(np.int64)
    target[0, 0, 0, :3] = 255  # weight 0, still counted in the mean
    pos, neg = (target == 1).sum(), (target == 0).sum()
    total = 0.
    for v, t in zip(logits.ravel(), target.ravel()):
        p = 1 / (1 + math.exp(-v))  # their edge output
        q = 1 / (1 + math.exp(-p))  # squashed again by *_with_logits
        wt = neg / (pos + neg) if t == 1 else pos / (pos + neg) if t == 0 \
            else 0.
        total -= wt * (math.log(q) if t == 1 else math.log(1 - q))
    want = 20 * total / target.size
    loss = BoundaryBCELoss(double_sigmoid=True, normalize_by='all')
    got = loss(torch.from_numpy(logits), torch.from_numpy(target))
    assert abs(got.item() - want) <= 1e-12 * want
    # the paper's version (on the logits) is another number
    assert abs(BoundaryBCELoss()
               (torch.from_numpy(logits), torch.from_numpy(target)).item() -
               want) > 1e-2


def test_dual_task_probability_l1_matches_hand_computation():
    logits, labels = make_case(seed=3, n=2, c=4, h=5, w=6)
    n, c, h, w = logits.shape
    u = np.random.default_rng(4).random((n, c, h, w))
    # by hand: zero logits / class 0 at ignored pixels, Gumbel softmax at
    # temperature 0.5, m(t) = sqrt(2 t^2 + 1e-6) / max, L1 averaged over
    # {m(g) >= 1e-8} and {m(gt) >= 1e-8}
    g = np.zeros((n, c, h, w))
    gt = np.zeros((n, c, h, w))
    for i in range(n):
        for y in range(h):
            for x in range(w):
                ign = labels[i, y, x] == 255
                z = [(0. if ign else logits[i, k, y, x]) -
                     math.log(1e-10 - math.log(u[i, k, y, x] + 1e-10))
                     for k in range(c)]
                e = [math.exp((v - max(z)) / 0.5) for v in z]
                for k in range(c):
                    g[i, k, y, x] = e[k] / sum(e)
                gt[i, 0 if ign else labels[i, y, x], y, x] = 1.
    mg = np.sqrt(2 * g**2 + 1e-6)
    mg /= mg.max()
    mgt = np.sqrt(2 * gt**2 + 1e-6)
    mgt /= mgt.max()
    err = np.abs(mg - mgt)
    want = 0.5 * err[mg >= 1e-8].sum() / ((mg >= 1e-8).sum() + 1e-10) + \
        0.5 * err[mgt >= 1e-8].sum() / ((mgt >= 1e-8).sum() + 1e-10)
    loss = DualTaskProbabilityL1Loss().train()
    with mock.patch('torch.rand_like',
                    lambda t, *a, **k: torch.from_numpy(u).to(t)):
        got = loss(torch.from_numpy(logits), torch.from_numpy(labels))
    assert abs(got.item() - want) <= 1e-12 * want
    assert loss.loss_name == 'loss_dual_boundary'


def test_edge_attention_with_image_weights_matches_hand_computation():
    logits, labels = make_case(seed=5)
    prob = np.random.default_rng(6).random((3, 1, 7, 9))
    masked = np.where(prob[:, 0] > 0.8, labels, 255)
    want = image_ce_np(logits, masked)
    loss = DualTaskConsistencyLoss(
        threshold=0.8, loss_cls=dict(type='ImageBasedCrossEntropyLoss'))
    got = loss(
        torch.from_numpy(logits), torch.from_numpy(labels),
        torch.from_numpy(prob))
    assert abs(got.item() - want) <= 1e-12 * want


def edges_by_hand(label, num_classes=19, radius=2, offset=1):
    """Their edge map from its definition, by brute force: pixel p is 1
    when, for some label v in offset..offset+num_classes-1 present in the
    image, a pixel of the 1-pixel zero-padded grid with the other
    membership of v lies within ``radius`` of p."""
    h, w = label.shape
    pad = np.full((h + 2, w + 2), -1)
    pad[1:-1, 1:-1] = label
    out = np.zeros((h, w), np.uint8)
    values = [
        v for v in np.unique(label) if offset <= v < offset + num_classes
    ]
    for y in range(h):
        for x in range(w):
            for v in values:
                inside = label[y, x] == v
                r = int(radius)
                if any((pad[y + 1 + dy, x + 1 + dx] == v) != inside
                       for dy in range(-r, r + 1) for dx in range(-r, r + 1)
                       if 0 <= y + 1 + dy < h + 2 and 0 <= x + 1 + dx < w +
                       2 and dy * dy + dx * dx <= radius * radius):
                    out[y, x] = 1
                    break
    return out


def test_one_hot_edge_map_matches_hand_computation():
    rng = np.random.default_rng(7)
    label = np.repeat(np.repeat(rng.integers(0, 6, (4, 5)), 4, 0), 3, 1)
    label[rng.random(label.shape) < 0.05] = 255
    label[:3, :3] = 0  # road in the corner: its border is no edge
    for offset in (1, 0):
        got = one_hot_edge_map(label, 19, 2, offset)
        assert np.array_equal(got, edges_by_hand(label, 19, 2, offset))
    out = GenerateOneHotEdgeMap()(dict(gt_seg_map=label, seg_fields=[]))
    assert np.array_equal(out['gt_edge_map'], one_hot_edge_map(label))
    assert out['seg_fields'] == ['gt_edge_map']
    # road next to ignore: no edge; road at the border: no edge
    road = np.zeros((8, 8), np.int64)
    road[:, 4:] = 255
    assert one_hot_edge_map(road).sum() == 0
    assert one_hot_edge_map(road + 3).sum() > 0  # class 3: border and ignore


def test_one_hot_edge_map_matches_the_authors_loader():
    from helpers import reference_dir
    root = reference_dir('gscnn')
    path = osp.join(root, 'gscnn', 'train.npz')
    if not osp.isfile(path):
        pytest.skip(f'{path} not found')
    with np.load(path) as data:
        for size in ('96x128', '97x129'):
            labels = data[f'labels_{size}'].astype(np.int64)
            edges = data[f'edge_gt_{size}'].astype(np.uint8)
            for lab, edge in zip(labels, edges):
                assert np.array_equal(one_hot_edge_map(lab), edge[0])


def gaussian_by_hand(img, sigma):
    """skimage/scipy Gaussian by hand: kernel radius int(4 sigma + 0.5),
    nearest-edge padding, rows then columns, channels separately."""
    r = int(4 * sigma + 0.5)
    k = [math.exp(-0.5 * (i / sigma)**2) for i in range(-r, r + 1)]
    k = [v / sum(k) for v in k]
    h, w, c = img.shape
    tmp = np.zeros_like(img, dtype=np.float64)
    out = np.zeros_like(img, dtype=np.float64)
    for ch in range(c):
        for y in range(h):
            for x in range(w):
                tmp[y, x,
                    ch] = sum(k[i + r] * img[min(max(y + i, 0), h - 1), x, ch]
                              for i in range(-r, r + 1))
        for y in range(h):
            for x in range(w):
                out[y, x, ch] = sum(k[i + r] *
                                    tmp[y, min(max(x + i, 0), w - 1), ch]
                                    for i in range(-r, r + 1))
    return out


def test_gaussian_blur_matches_hand_computation():
    rng = np.random.default_rng(8)
    img = rng.integers(0, 256, (9, 11, 3)).astype(np.uint8)
    sigma = 0.9
    want = gaussian_by_hand(img / 255., sigma)
    got = RandomGaussianBlur.blur(img.astype(np.float64) / 255., sigma)
    assert np.abs(got - want).max() <= 1e-12
    got8 = RandomGaussianBlur.blur(img, sigma)
    assert got8.dtype == np.uint8
    # their cast truncates: floor of 255 * blurred (away from integers)
    scaled = want * 255
    safe = np.abs(scaled - np.round(scaled)) > 1e-9
    assert np.array_equal(got8[safe], np.floor(scaled[safe]).astype(np.uint8))


def test_gaussian_blur_sigma_range_seeding_and_prob():
    t = TRANSFORMS.build(dict(type='RandomGaussianBlur'))
    assert t.sigma_range == (0.15, 1.3) and t.prob == 1.0
    np.random.seed(0)
    sigmas = [t._random_sigma() for _ in range(2000)]
    assert 0.15 <= min(sigmas) < 0.2 and 1.25 < max(sigmas) < 1.3
    img = np.random.default_rng(9).integers(0, 256, (6, 7, 3)).astype(np.uint8)
    np.random.seed(3)
    a = t(dict(img=img.copy()))['img']
    np.random.seed(3)
    b = t(dict(img=img.copy()))['img']
    assert np.array_equal(a, b) and not np.array_equal(a, img)
    off = RandomGaussianBlur(prob=0.)
    assert np.array_equal(off(dict(img=img.copy()))['img'], img)
    with pytest.raises(ValueError):
        RandomGaussianBlur(sigma_range=(0, 1))
