"""Bit-plane boundary F-score: identical to the k-d tree reference."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from helpers import REPO_ROOT

from mmseg_gated.evaluation.metrics.boundary_fscore_fast import (
    boundary_fscore_fast, boundary_fscore_torch, disk_columns)
# the previous implementation (k-d tree over boundary points), kept as the
# reference; tests/test_evaluation/test_gscnn_boundary.py checks it against
# per-class seg2bmap + binary dilation written from the DAVIS definition
from mmseg_gated.evaluation.metrics.boundary_fscore_reference import \
    boundary_fscore_per_class

CAMVID = osp.join(REPO_ROOT, '..', 'shared', 'data', 'camvid', 'valannot')


def random_pair(rng):
    h, w = (int(v) for v in rng.integers(1, 48, 2))
    k = int(rng.integers(1, 12))
    if rng.random() < 0.5:  # blocks of a random size
        b = int(rng.integers(2, 9))
        cells = rng.integers(0, k, (h // b + 1, w // b + 1))
        gt = np.kron(cells, np.ones((b, b), np.int64))[:h, :w]
        gt[rng.random((h, w)) < 0.05] = 255
        pred = np.roll(gt, int(rng.integers(-3, 4)), axis=1) % (k + 1)
    else:  # pixel noise, labels out of range on both sides
        gt = rng.integers(0, k + 2, (h, w))
        gt[rng.random((h, w)) < 0.1] = 255
        pred = rng.integers(-1, k + 2, (h, w))
    ths = tuple(
        rng.choice([0.05, 1, 1.5, 2, 2.5, 3, 5, 9, 12],
                   int(rng.integers(1, 5)),
                   replace=False).tolist())
    if rng.random() < 0.3:
        gt, pred = gt.astype(np.uint8), (pred % 256).astype(np.uint8)
    return pred, gt, k, ths


def test_disk_columns_hand():
    assert disk_columns(1) == (1, [0, 1, 0])
    assert disk_columns(1.5) == (1, [1, 1, 1])
    assert disk_columns(2) == (2, [0, 1, 2, 1, 0])
    r, heights = disk_columns(12)
    assert r == 12 and heights[12] == 12 and heights[0] == 0
    # column dx = 5: 5^2 + 10^2 = 125 <= 144 < 5^2 + 11^2
    assert heights[12 + 5] == 10


def test_equal_to_reference_random_maps():
    rng = np.random.default_rng(0)
    for _ in range(120):
        pred, gt, k, ths = random_pair(rng)
        ref = boundary_fscore_per_class(pred, gt, k, ths)
        np.testing.assert_array_equal(
            boundary_fscore_fast(pred, gt, k, ths), ref)


def test_equal_to_reference_many_classes_and_ignore_inside():
    rng = np.random.default_rng(1)
    # more than 255 classes: 16-bit codes and several bit-planes
    gt = np.kron(rng.integers(0, 300, (8, 10)), np.ones((5, 5), np.int64))
    pred = np.roll(gt, 2, axis=0)
    pred[rng.random(pred.shape) < 0.05] = 299
    np.testing.assert_array_equal(
        boundary_fscore_fast(pred, gt, 300, (1, 3)),
        boundary_fscore_per_class(pred, gt, 300, (1, 3)))
    # an ignore label inside the class range is a class of gt
    gt = np.kron(rng.integers(0, 4, (6, 6)), np.ones((4, 4), np.int64))
    pred = np.roll(gt, 1, axis=1)
    np.testing.assert_array_equal(
        boundary_fscore_fast(pred, gt, 4, (2, ), ignore_index=3),
        boundary_fscore_per_class(pred, gt, 4, (2, ), ignore_index=3))


def test_constant_and_one_sided_maps():
    gt = np.zeros((9, 9), np.int64)
    f = boundary_fscore_fast(gt, gt, 3, (2, ))
    np.testing.assert_array_equal(f, np.ones((3, 1)))  # no boundary: F = 1
    pred = gt.copy()
    pred[3:6, 3:6] = 1
    np.testing.assert_array_equal(
        boundary_fscore_fast(pred, gt, 3, (2, )),
        boundary_fscore_per_class(pred, gt, 3, (2, )))
    assert boundary_fscore_fast(pred, gt, 3, (2, ))[1, 0] == 0
    with pytest.raises(ValueError, match='same shape'):
        boundary_fscore_fast(gt, gt[:, :5], 3)


@pytest.mark.skipif(
    not osp.isdir(CAMVID), reason=f'CamVid labels not found at {CAMVID}')
def test_equal_to_reference_camvid():
    names = sorted(os.listdir(CAMVID))[:4]
    maps = [
        cv2.imread(osp.join(CAMVID, n), cv2.IMREAD_UNCHANGED) for n in names
    ]
    for gt, pred in zip(maps[:-1], maps[1:]):  # next frame as prediction
        for ths in ((3, 5, 9, 12), (0.00088, 0.005)):
            np.testing.assert_array_equal(
                boundary_fscore_fast(pred, gt, 11, ths, ignore_index=11),
                boundary_fscore_per_class(pred, gt, 11, ths, ignore_index=11))
        gt255 = np.where(gt == 11, 255, gt).astype(np.int64)
        np.testing.assert_array_equal(
            boundary_fscore_fast(pred.astype(np.int64), gt255, 19),
            boundary_fscore_per_class(pred, gt255, 19))


def test_torch_path_equal_on_cpu():
    rng = np.random.default_rng(2)
    for _ in range(6):
        h, w = (int(v) for v in rng.integers(8, 40, 2))
        cells = rng.integers(0, 5, (2, h // 4 + 1, w // 4 + 1))
        gt = np.stack([np.kron(c, np.ones((4, 4), np.int64)) for c in cells])
        gt = gt[:, :h, :w].copy()
        gt[rng.random(gt.shape) < 0.05] = 255
        pred = np.roll(gt, 1, axis=2) % 6
        ths = (1, 2.5, 3, 0.1)
        out = boundary_fscore_torch(
            torch.from_numpy(pred), torch.from_numpy(gt), 5, ths)
        for i in range(2):
            np.testing.assert_array_equal(
                out[i], boundary_fscore_per_class(pred[i], gt[i], 5, ths))


def test_metric_backends_agree():
    from mmseg.registry import METRICS
    rng = np.random.default_rng(3)
    cells = rng.integers(0, 3, (6, 7))
    gt = torch.from_numpy(np.kron(cells, np.ones((5, 5), np.int64)))[None]
    pred = torch.roll(gt, 2, dims=2)
    sample = dict(gt_sem_seg=dict(data=gt), pred_sem_seg=dict(data=pred))
    results = []
    for backend in ('numpy', 'torch', 'auto'):
        metric = METRICS.build(
            dict(type='BoundaryFScoreMetric', backend=backend))
        metric.dataset_meta = dict(classes=('a', 'b', 'c'))
        metric.process({}, [sample])
        results.append(metric.results[0])
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])
    np.testing.assert_array_equal(
        results[0], boundary_fscore_per_class(pred[0].numpy(), gt[0].numpy(),
                                              3))
    with pytest.raises(ValueError, match='backend'):
        METRICS.build(dict(type='BoundaryFScoreMetric', backend='cuda'))
