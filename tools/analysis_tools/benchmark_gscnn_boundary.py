# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Speed (and agreement) of Gated-SCNN's boundary ground truth and boundary
F-score on one synthetic Cityscapes-sized pair.

    python tools/analysis_tools/benchmark_gscnn_boundary.py \
        [--size 1024 2048] [--classes 19] [--repeat 3] [--reference]

Labels are Voronoi regions of random seeds (19 classes, a few ignored
regions); the prediction moves the seeds by a few pixels and adds small
false blobs. ``--reference`` also runs per-class implementations of the
authors' algorithms (a distance transform per class for the band; a binary
dilation by a disk per class and threshold for the F-score, written here
from their definition) and checks that the numbers agree.
"""
import argparse
import time

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

from mmseg_gated.datasets.transforms.boundary_band import boundary_band_np
from mmseg_gated.evaluation.metrics.boundary_fscore_reference import (
    boundary_fscore_per_class, threshold_pixels)


def make_pair(h, w, num_classes, seed=0):
    rng = np.random.default_rng(seed)
    n = 300
    seeds = rng.random((n, 2)) * (h, w)
    classes = rng.integers(0, num_classes, n)
    classes[rng.random(n) < 0.03] = 255
    yy, xx = np.mgrid[0:h, 0:w]
    grid = np.stack([yy.ravel(), xx.ravel()], 1).astype(np.float32)
    gt = classes[cKDTree(seeds).query(grid)[1]].reshape(h, w)
    moved = seeds + rng.normal(0, 3, seeds.shape)
    pred = classes[cKDTree(moved).query(grid)[1]].reshape(h, w)
    pred[pred == 255] = 0
    for _ in range(60):  # small false positives
        y, x = rng.integers(0, h - 20), rng.integers(0, w - 20)
        pred[y:y + rng.integers(3, 20), x:x + rng.integers(3, 20)] = \
            rng.integers(0, num_classes)
    return pred.astype(np.uint8), gt.astype(np.uint8)


def reference_band(gt, radius, num_classes, ignore=255):
    """Per-class distance transforms (the authors' algorithm, class 0 and
    ignore included, no zero padding)."""
    band = np.zeros(gt.shape, bool)
    for v in list(range(num_classes)) + [ignore]:
        mask = gt == v
        if not mask.any() or mask.all():
            continue
        d = ndimage.distance_transform_edt(mask) + \
            ndimage.distance_transform_edt(~mask)
        band |= (d > 0) & (d <= radius)
    out = band.astype(np.uint8)
    out[gt == ignore] = ignore
    return out


def seg2bmap(m):
    e = np.zeros_like(m)
    s = np.zeros_like(m)
    se = np.zeros_like(m)
    e[:, :-1] = m[:, 1:]
    s[:-1, :] = m[1:, :]
    se[:-1, :-1] = m[1:, 1:]
    b = (m ^ e) | (m ^ s) | (m ^ se)
    b[-1, :] = m[-1, :] ^ e[-1, :]
    b[:, -1] = m[:, -1] ^ s[:, -1]
    b[-1, -1] = False
    return b


def reference_fscore(pred, gt, num_classes, th, ignore=255):
    """One threshold, one class at a time (the authors' loop)."""
    r = int(th)
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    disk = xx**2 + yy**2 <= th**2
    out = np.zeros(num_classes)
    for c in range(num_classes):
        fb = seg2bmap((pred == c) & (gt != ignore))
        gb = seg2bmap(gt == c)
        nf, ng = fb.sum(), gb.sum()
        if nf == 0 and ng == 0:
            out[c] = 1.
            continue
        if nf == 0 or ng == 0:
            continue
        p = (fb & ndimage.binary_dilation(gb, disk)).sum() / nf
        rc = (gb & ndimage.binary_dilation(fb, disk)).sum() / ng
        out[c] = 0. if p + rc == 0 else 2 * p * rc / (p + rc)
    return out


def timed(fn, repeat):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def main():
    parser = argparse.ArgumentParser(
        description=' '.join(__doc__.split('\n\n')[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--size', type=int, nargs=2, default=(1024, 2048))
    parser.add_argument('--classes', type=int, default=19)
    parser.add_argument(
        '--thresholds', type=float, nargs='+', default=(3, 5, 9, 12))
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--reference', action='store_true')
    args = parser.parse_args()
    h, w = args.size
    k = args.classes
    pred, gt = make_pair(h, w, k)
    ths = tuple(args.thresholds)
    band, t_band = timed(lambda: boundary_band_np(gt, 2), args.repeat)
    print(f'{h}x{w}, {k} classes; best of {args.repeat}')
    print(f'boundary band (radius 2): {t_band * 1e3:.1f} ms per image '
          f'({band[band != 255].mean() * 100:.2f}% of pixels)')
    f_all, t_all = timed(lambda: boundary_fscore_per_class(pred, gt, k, ths),
                         args.repeat)
    print(f'boundary F, {len(ths)} thresholds at once: {t_all * 1e3:.1f} ms '
          f'per image ({t_all / len(ths) * 1e3:.1f} ms per threshold)')
    for j, th in enumerate(ths):
        print(f'  mBF@{th:g}: {f_all[:, j].mean() * 100:.2f}')
    if args.reference:
        ref_band, t_ref = timed(lambda: reference_band(gt, 2, k), 1)
        print(f'reference band (per-class EDT): {t_ref:.2f} s per image; '
              f'identical: {bool((ref_band == band).all())}')
        for j, th in enumerate(ths):
            px = threshold_pixels(th, (h, w))
            ref, t_ref = timed(lambda: reference_fscore(pred, gt, k, px), 1)
            diff = np.abs(ref - f_all[:, j]).max()
            print(f'reference F@{th:g} (per class dilation): {t_ref:.2f} s; '
                  f'max |difference| {diff:.2e}')


if __name__ == '__main__':
    main()
