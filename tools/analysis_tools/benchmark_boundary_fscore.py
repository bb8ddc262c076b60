# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Per-image cost of ``BoundaryFScoreMetric.process`` against mmseg's
``IoUMetric.process`` in the same run, and equality with the reference.

    OMP_NUM_THREADS=1 \
    python tools/analysis_tools/benchmark_boundary_fscore.py \
        [--size 1024 2048] [--classes 19] [--repeat 7] [--reference]

Three kinds of label pairs at ``--size``: ``street``, CamVid ground truth
(``--camvid``, skipped when absent) resized with nearest neighbour, the
prediction being the next frame's labels; ``voronoi``, the synthetic pair of
``benchmark_gscnn_boundary.py`` (300 Voronoi regions of random classes, the
prediction's seeds moved by a few pixels, plus small false blobs); and
``blocks``, 16x16 blocks of random classes (boundary-rich: every class
everywhere), the prediction changing 20% of the blocks and shifted by 2
pixels. Both metrics get the same
data samples as in a validation loop (int64 tensors on the CPU). The three
timings (IoUMetric, BoundaryFScoreMetric, and with ``--reference`` the
previous implementation, a k-d tree per image, called the same way) are
interleaved in each repeat; medians over repeats are reported, and the ratio
is the median of the per-repeat ratios, so a machine shared with other jobs
biases both sides alike. ``--reference`` also checks that the numbers are
identical.
"""
import argparse
import importlib.util
import os
import os.path as osp
import time

import cv2
import numpy as np
import torch
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS

import mmseg_gated  # noqa: F401
from mmseg_gated.evaluation.metrics.boundary_fscore_reference import \
    boundary_fscore_per_class


def block_pair(h, w, num_classes, block=16, seed=0):
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, num_classes, (-(-h // block), -(-w // block)))
    changed = cells.copy()
    flip = rng.random(cells.shape) < 0.2
    changed[flip] = rng.integers(0, num_classes, int(flip.sum()))
    ones = np.ones((block, block), np.int64)
    gt = np.kron(cells, ones)[:h, :w]
    pred = np.roll(np.kron(changed, ones)[:h, :w], 2, axis=1)
    return pred, gt


def voronoi_pair(h, w, num_classes):
    path = osp.join(osp.dirname(__file__), 'benchmark_gscnn_boundary.py')
    spec = importlib.util.spec_from_file_location('gscnn_bench', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return tuple(x.astype(np.int64) for x in mod.make_pair(h, w, num_classes))


def camvid_pair(root, h, w, index=0):
    """Two consecutive CamVid val label maps, ignore (11) -> 255."""
    names = sorted(os.listdir(osp.join(root, 'valannot')))
    maps = []
    for name in names[index:index + 2]:
        lab = cv2.imread(
            osp.join(root, 'valannot', name), cv2.IMREAD_UNCHANGED)
        lab = cv2.resize(lab, (w, h), interpolation=cv2.INTER_NEAREST)
        lab = lab.astype(np.int64)
        lab[lab == 11] = 255
        maps.append(lab)
    return maps[1], maps[0]


def sample(pred, gt):
    return dict(
        pred_sem_seg=dict(data=torch.from_numpy(pred)[None]),
        gt_sem_seg=dict(data=torch.from_numpy(gt)[None]))


class _Reference:
    """``process`` of the previous implementation (k-d tree per image)."""

    def __init__(self, thresholds):
        self.thresholds = thresholds
        self.results = []

    def process(self, data_batch, data_samples):
        for s in data_samples:
            pred = s['pred_sem_seg']['data'].squeeze().cpu().numpy()
            gt = s['gt_sem_seg']['data'].squeeze().cpu().numpy()
            self.results.append(
                boundary_fscore_per_class(pred, gt, self.num_classes,
                                          self.thresholds))


def time_once(metric, data):
    metric.results.clear()
    t = time.perf_counter()
    metric.process({}, [data])
    return time.perf_counter() - t


def main():
    parser = argparse.ArgumentParser(
        description=' '.join(__doc__.split('\n\n')[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--size', type=int, nargs=2, default=(1024, 2048))
    parser.add_argument('--classes', type=int, default=19)
    parser.add_argument(
        '--thresholds', type=float, nargs='+', default=(3, 5, 9, 12))
    parser.add_argument('--repeat', type=int, default=7)
    parser.add_argument(
        '--camvid',
        default=osp.join(
            osp.dirname(__file__), '..', '..', '..', 'shared', 'data',
            'camvid'),
        help='CamVid root for the street pair (skipped when absent)')
    parser.add_argument(
        '--reference',
        action='store_true',
        help='also time the previous implementation and check equality')
    args = parser.parse_args()
    h, w = args.size
    k = args.classes
    ths = tuple(args.thresholds)
    meta = dict(classes=tuple(f'c{i}' for i in range(k)))
    iou = IoUMetric(iou_metrics=['mIoU'])
    bf = METRICS.build(dict(type='BoundaryFScoreMetric', thresholds=ths))
    ref = _Reference(ths)
    for m in (iou, bf):
        m.dataset_meta = meta
    ref.num_classes = k
    pairs = {'blocks': block_pair(h, w, k), 'voronoi': voronoi_pair(h, w, k)}
    if osp.isdir(osp.join(args.camvid, 'valannot')):
        pairs['street'] = camvid_pair(args.camvid, h, w)
    else:
        print(f'no CamVid labels at {args.camvid}: street pair skipped')
    print(f'{h}x{w}, {k} classes, thresholds {ths}, torch threads '
          f'{torch.get_num_threads()}, OMP_NUM_THREADS='
          f'{os.environ.get("OMP_NUM_THREADS", "unset")}; median of '
          f'{args.repeat} interleaved repeats, ms per image')
    header = '| pair | IoUMetric | BoundaryF | ratio |'
    rule = '|---|---|---|---|'
    if args.reference:
        header += ' previous | ratio | max abs diff |'
        rule += '---|---|---|'
    print(header)
    print(rule)
    for name, (pred, gt) in pairs.items():
        data = sample(pred, gt)
        metrics = [iou, bf] + ([ref] if args.reference else [])
        for m in metrics:  # warm-up
            time_once(m, data)
        times = np.array([[time_once(m, data) for m in metrics]
                          for _ in range(args.repeat)])
        med = np.median(times, 0) * 1e3
        ratio = np.median(times[:, 1] / times[:, 0])
        row = f'| {name} | {med[0]:.1f} | {med[1]:.1f} | {ratio:.2f} |'
        if args.reference:
            diff = np.abs(bf.results[0] - ref.results[0]).max()
            row += (
                f' {med[2]:.1f} | {np.median(times[:, 2] / times[:, 0]):.2f}'
                f' | {diff:.1e} |')
        print(row)


if __name__ == '__main__':
    main()
