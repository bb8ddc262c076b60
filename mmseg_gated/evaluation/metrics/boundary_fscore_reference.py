# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Boundary F-score of one image, the reference definition (DAVIS).

The 1-pixel boundaries of the boundary F-score are DAVIS ``seg2bmap``'s:
pixel ``p`` is on the boundary of class ``c`` when its binary mask differs
from the mask at the east, south or south-east neighbour of ``p``
(neighbours outside the image are not compared). For a label map this
happens when ``L(p) != L(q)`` and ``c`` is ``L(p)`` or ``L(q)``, so one pass
over the three shifts gives the boundary pixels of every class.
:func:`boundary_fscore_per_class` matches them with a k-d tree; the metric's
bit-plane and ``max_pool2d`` versions (:mod:`.boundary_fscore_fast`) are
tested equal to it.
"""
from typing import Tuple

import numpy as np


def class_boundary_points(label: np.ndarray,
                          num_classes: int) -> Tuple[np.ndarray, np.ndarray]:
    """1-pixel boundaries (DAVIS ``seg2bmap``) of all classes of a label map.

    Labels outside ``[0, num_classes)`` (ignore) belong to no class.

    Args:
        label (np.ndarray): H x W integer label map.
        num_classes (int): Number of classes.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``coords`` (N x 2 int, row and column)
        and ``classes`` (N,) of the boundary pixels, in no particular order;
        a pixel on the boundary of two classes appears twice.
    """
    if label.ndim != 2:
        raise ValueError(f'label must be H x W, got shape {label.shape}')
    lab = label.astype(np.int32)
    valid = (lab >= 0) & (lab < num_classes)
    lab[~valid] = -1
    # east, south and south-east neighbours; edge replication makes a
    # missing neighbour equal to an existing one (or to the pixel), which is
    # exactly seg2bmap's treatment of the last row and column
    padded = np.pad(lab, ((0, 1), (0, 1)), mode='edge')
    east = padded[:-1, 1:]
    south = padded[1:, :-1]
    south_east = padded[1:, 1:]
    d_e = east != lab
    d_s = south != lab
    d_se = south_east != lab
    # p is on the boundary of its own class if any neighbour differs, and of
    # every distinct differing neighbour class (counted once)
    masks = (
        (d_e | d_s | d_se) & valid,
        d_e & (east >= 0),
        d_s & (south != east) & (south >= 0),
        d_se & (south_east != east) & (south_east != south) &
        (south_east >= 0),
    )
    coords, classes = [], []
    for mask, source in zip(masks, (lab, east, south, south_east)):
        rows, cols = np.nonzero(mask)
        coords.append(np.stack([rows, cols], axis=1))
        classes.append(source[rows, cols])
    coords = np.concatenate(coords).astype(np.int64)
    classes = np.concatenate(classes).astype(np.int64)
    return coords, classes


def threshold_pixels(threshold: float, shape: Tuple[int, int]) -> float:
    """A threshold in pixels: ``threshold`` itself if >= 1, else
    ``ceil(threshold * image diagonal)`` (DAVIS)."""
    if threshold <= 0:
        raise ValueError(f'thresholds must be positive, got {threshold}')
    if threshold >= 1:
        return float(threshold)
    return float(np.ceil(threshold * np.hypot(shape[0], shape[1])))


def boundary_fscore_per_class(pred: np.ndarray,
                              gt: np.ndarray,
                              num_classes: int,
                              thresholds=(3, 5, 9, 12),
                              ignore_index: int = 255) -> np.ndarray:
    """Per-class boundary F-measure of one image (DAVIS semantics).

    For every class ``c``, the 1-pixel boundaries (``seg2bmap``) of
    ``pred == c`` and ``gt == c``, both with the ignored pixels of ``gt``
    removed from the masks, are matched within distance ``th``: precision
    is the fraction of predicted boundary pixels with a ground-truth
    boundary pixel at distance ``<= th`` (a dilation by a disk of radius
    ``th``), recall likewise; ``F = 2PR / (P + R)``. No boundary in either
    map gives F = 1; in one map only, F = 0. All classes and thresholds are
    computed at once: one k-d tree per map with the classes placed far
    apart, queried once for the nearest distance.

    Args:
        pred (np.ndarray): H x W predicted labels.
        gt (np.ndarray): H x W ground-truth labels.
        num_classes (int): Number of classes.
        thresholds (Sequence[float]): In pixels (>= 1) or as a fraction of
            the image diagonal (< 1). Default: (3, 5, 9, 12).
        ignore_index (int): Ignored ground-truth label. Default: 255.

    Returns:
        np.ndarray: ``num_classes x len(thresholds)`` F-measures in [0, 1].
    """
    from scipy.spatial import cKDTree

    if pred.shape != gt.shape or pred.ndim != 2:
        raise ValueError(f'pred {pred.shape} and gt {gt.shape} must be '
                         'H x W of the same shape')
    h, w = gt.shape
    ths = np.array([threshold_pixels(t, (h, w)) for t in thresholds])
    ignore = gt == ignore_index
    pred = np.where(ignore, -1, pred)
    p_xy, p_cls = class_boundary_points(pred, num_classes)
    g_xy, g_cls = class_boundary_points(gt, num_classes)
    n_fg = np.bincount(p_cls, minlength=num_classes)
    n_gt = np.bincount(g_cls, minlength=num_classes)
    # classes far apart along x: never matched across classes
    shift = float(w + 2 * ths.max() + 2)

    def place(xy, cls):
        pts = xy.astype(np.float64)
        pts[:, 1] += cls * shift
        return pts

    def nearest(query_xy, query_cls, ref_xy, ref_cls):
        if len(query_xy) == 0:
            return np.zeros(0)
        if len(ref_xy) == 0:
            return np.full(len(query_xy), np.inf)
        tree = cKDTree(
            place(ref_xy, ref_cls), balanced_tree=False, compact_nodes=False)
        d, _ = tree.query(
            place(query_xy, query_cls),
            k=1,
            distance_upper_bound=ths.max() + 0.5)
        return d

    d_fg = nearest(p_xy, p_cls, g_xy, g_cls)
    d_gt = nearest(g_xy, g_cls, p_xy, p_cls)
    out = np.zeros((num_classes, len(ths)))
    for j, th in enumerate(ths):
        fg_match = np.bincount(p_cls[d_fg <= th + 1e-9], minlength=num_classes)
        gt_match = np.bincount(g_cls[d_gt <= th + 1e-9], minlength=num_classes)
        with np.errstate(divide='ignore', invalid='ignore'):
            precision = np.where(n_fg > 0, fg_match / np.maximum(n_fg, 1), 1.)
            recall = np.where(n_gt > 0, gt_match / np.maximum(n_gt, 1), 1.)
        # one map empty: DAVIS sets P=1,R=0 or P=0,R=1
        precision = np.where((n_fg > 0) & (n_gt == 0), 0., precision)
        recall = np.where((n_fg == 0) & (n_gt > 0), 0., recall)
        denom = precision + recall
        out[:, j] = np.where(denom > 0,
                             2 * precision * recall / np.maximum(denom, 1e-12),
                             0.)
    return out
