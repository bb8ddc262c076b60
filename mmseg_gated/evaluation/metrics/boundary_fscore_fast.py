# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Boundary F-score (DAVIS semantics) of all classes and thresholds at once,
with class bit-planes instead of per-class masks.

The definition is that of
:func:`~.boundary_fscore_reference.boundary_fscore_per_class` (the
reference, a k-d tree over boundary points), and so are the results, bit for
bit: for class ``c`` the 1-pixel ``seg2bmap`` boundaries of ``pred == c`` and
``gt == c`` (ignored ``gt`` pixels removed from both) are matched within
Euclidean distance ``th``. Here:

- each pixel of a boundary map holds a byte whose bit ``i`` says "on the
  boundary of class ``i``" for up to 8 classes (a *bit-plane*); pixel ``p``
  is on the boundary of ``L(p)`` and ``L(q)`` whenever ``L(p) != L(q)`` for
  its east, south or south-east neighbour ``q``, so a plane takes a few
  byte-wise operations on the whole frame;
- dilation by the disk of radius ``th`` is a bitwise OR of shifted copies,
  which dilates the 8 classes of a plane at once: with ``V_h`` the OR over
  the vertical window ``[-h, h]``, the disk is the union over columns
  ``dx`` of ``V_{b(dx)}`` shifted by ``dx``, ``b(dx)`` being the disk's
  half-height in that column; the ``V_h`` serve every threshold;
- only classes with a boundary in both maps are dilated (otherwise F is 0 or
  1 from the counts), packed 8 to a plane, inside the bounding box of the
  evaluated boundary pixels plus the largest radius, in strips of rows that
  stay in the CPU cache.

:func:`boundary_fscore_torch` computes the same numbers for a batch of label
tensors on their device (one-hot boundaries dilated by separable
``max_pool2d`` over the disk's rectangles), for predictions already on a GPU.
"""
from typing import List, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from .boundary_fscore_reference import threshold_pixels

# popcount per bit: row v holds the 8 bits of byte v (least significant first)
_BYTE_BITS = np.unpackbits(
    np.arange(256, dtype=np.uint8)[:, None], axis=1,
    bitorder='little').astype(np.int64)
_STRIP_ROWS = 128


def disk_columns(threshold: float) -> Tuple[int, List[int]]:
    """Radius ``r`` and per-column half-heights ``b(dx)``, ``dx = -r..r``, of
    the digital disk ``{(dy, dx): sqrt(dx^2 + dy^2) <= threshold + 1e-9}``
    (the reference's float64 test of a nearest distance against
    ``threshold``)."""
    lim = float(threshold) + 1e-9

    def inside(dy, dx):
        return np.sqrt(float(dy * dy + dx * dx)) <= lim

    r = int(np.floor(lim))
    while inside(0, r + 1):
        r += 1
    while r > 0 and not inside(0, r):
        r -= 1
    heights = []
    for dx in range(-r, r + 1):
        b = r
        while b > 0 and not inside(b, dx):
            b -= 1
        heights.append(b)
    return r, heights


def _codes(label: np.ndarray, num_classes: int, sentinel: int) -> np.ndarray:
    """Labels as a small unsigned map; labels outside ``[0, num_classes)``
    become ``sentinel``."""
    dtype = np.uint8 if sentinel == 255 else np.uint16
    if dtype == np.uint8:  # num_classes < 255
        table = np.full(256, sentinel, np.uint8)
        table[:num_classes] = np.arange(num_classes)
        if label.dtype != np.uint8:  # -1 wraps to 255, both map to sentinel
            label = np.clip(label, -1, num_classes).astype(np.uint8)
        return cv2.LUT(label, table)
    valid = (label >= 0) & (label < num_classes)
    return np.where(valid, label, sentinel).astype(dtype)


def _class_counts(code: np.ndarray, num_classes: int) -> np.ndarray:
    """Pixels per code value (``cv2.calcHist`` for uint8 maps small enough
    for its float32 counts to be exact)."""
    if code.dtype == np.uint8 and code.size < 2**24:
        hist = cv2.calcHist([code], [0], None, [256], [0, 256])
        return hist.ravel().astype(np.int64)
    return np.bincount(code.ravel(), minlength=num_classes)


def _lookup(code: np.ndarray, table: np.ndarray) -> np.ndarray:
    if code.dtype == np.uint8:
        return cv2.LUT(code, table)
    return table[code]


def _diff_masks(code: np.ndarray):
    """0/255 masks "differs from its east / south / south-east neighbour"
    and the flat indices of pixels where any of them is set."""
    h, w = code.shape
    masks = (np.not_equal(code[:, :-1], code[:, 1:]).view(np.uint8),
             np.not_equal(code[:-1], code[1:]).view(np.uint8),
             np.not_equal(code[:-1, :-1], code[1:, 1:]).view(np.uint8))
    any_diff = np.zeros((h, w), np.uint8)
    any_diff[:, :-1] = masks[0]
    any_diff[:-1] |= masks[1]
    any_diff[:-1, :-1] |= masks[2]
    for m in masks:
        np.negative(m, out=m)  # 1 -> 255
    return masks, np.flatnonzero(any_diff)


def _bitplane(code: np.ndarray, masks, table: np.ndarray) -> np.ndarray:
    """Boundary bits of the (up to 8) classes that ``table`` maps to bits."""
    m_e, m_s, m_se = masks
    bits = _lookup(code, table)
    h, w = code.shape
    out = np.zeros((h, w), np.uint8)
    tmp = np.empty((h, max(w - 1, 0)), np.uint8)
    np.bitwise_or(bits[:, :-1], bits[:, 1:], out=tmp)
    np.bitwise_and(tmp, m_e, out=out[:, :-1])
    tmp = np.empty((max(h - 1, 0), w), np.uint8)
    np.bitwise_or(bits[:-1], bits[1:], out=tmp)
    tmp &= m_s
    out[:-1] |= tmp
    tmp = tmp[:, :-1]
    np.bitwise_or(bits[:-1, :-1], bits[1:, 1:], out=tmp)
    tmp &= m_se
    out[:-1, :-1] |= tmp
    return out


def _bit_counts(values: np.ndarray) -> np.ndarray:
    """How many of ``values`` (uint8) have each of the 8 bits set."""
    return np.bincount(values, minlength=256) @ _BYTE_BITS


def _matched_counts(ref: np.ndarray, index: np.ndarray, values: np.ndarray,
                    plans, radius: int) -> np.ndarray:
    """Per threshold and bit: how many set bits of ``values`` (at flat
    ``index`` of the frame) have the same bit of ``ref`` within the disk."""
    h, w = ref.shape
    out = np.zeros((len(plans), 8), np.int64)
    keep = values != 0
    index, values = index[keep], values[keep]
    if index.size == 0:
        return out
    rows = index // w
    cols = index - rows * w
    y0, y1 = int(rows[0]), int(rows[-1]) + 1  # index is sorted
    x0, x1 = int(cols.min()), int(cols.max()) + 1
    r = radius
    hh, ww = y1 - y0, x1 - x0
    # ref inside the bounding box plus the radius, zero outside the image
    pad = np.zeros((hh + 2 * r, ww + 2 * r), np.uint8)
    sy0, sy1 = max(0, y0 - r), min(h, y1 + r)
    sx0, sx1 = max(0, x0 - r), min(w, x1 + r)
    pad[sy0 - y0 + r:sy1 - y0 + r, sx0 - x0 + r:sx1 - x0 + r] = \
        ref[sy0:sy1, sx0:sx1]
    # uses[b]: the (threshold, dx) columns whose half-height is b
    uses = [[] for _ in range(r + 1)]
    for t, (rt, heights) in enumerate(plans):
        for i, b in enumerate(heights):
            uses[b].append((t, i - rt))
    local = (rows - y0) * ww + (cols - x0)
    starts = range(0, hh, _STRIP_ROWS)
    bounds = np.searchsorted(rows - y0, [*starts, hh])
    for k, s0 in enumerate(starts):
        i0, i1 = bounds[k], bounds[k + 1]
        if i0 == i1:
            continue
        s1 = min(hh, s0 + _STRIP_ROWS)
        at = local[i0:i1] - s0 * ww
        vals = values[i0:i1]
        column = pad[r + s0:r + s1].copy()  # V_0
        dilated = [np.zeros((s1 - s0, ww), np.uint8) for _ in plans]
        for b in range(r + 1):
            if b:  # V_b = V_{b-1} | rows b above | rows b below
                column |= pad[r + s0 - b:r + s1 - b]
                column |= pad[r + s0 + b:r + s1 + b]
            for t, dx in uses[b]:
                dilated[t] |= column[:, r + dx:r + dx + ww]
        for t, d in enumerate(dilated):
            out[t] += _bit_counts(d.ravel()[at] & vals)
    return out


def _fscore(n_fg, n_gt, fg_match, gt_match) -> np.ndarray:
    """F per class from the counts, with the reference's arithmetic and
    DAVIS's conventions (no boundary in either map: 1; in one: 0)."""
    with np.errstate(divide='ignore', invalid='ignore'):
        precision = np.where(n_fg > 0, fg_match / np.maximum(n_fg, 1), 1.)
        recall = np.where(n_gt > 0, gt_match / np.maximum(n_gt, 1), 1.)
    precision = np.where((n_fg > 0) & (n_gt == 0), 0., precision)
    recall = np.where((n_fg == 0) & (n_gt > 0), 0., recall)
    denom = precision + recall
    return np.where(denom > 0,
                    2 * precision * recall / np.maximum(denom, 1e-12), 0.)


def _check(pred_shape, gt_shape, num_classes, thresholds):
    if tuple(pred_shape) != tuple(gt_shape) or len(gt_shape) != 2:
        raise ValueError(f'pred {tuple(pred_shape)} and gt {tuple(gt_shape)}'
                         ' must be H x W of the same shape')
    if not 0 < num_classes < 65535:
        raise ValueError(f'num_classes must be in [1, 65534], got '
                         f'{num_classes}')
    return [threshold_pixels(t, tuple(gt_shape)) for t in thresholds]


def boundary_fscore_fast(pred: np.ndarray,
                         gt: np.ndarray,
                         num_classes: int,
                         thresholds: Sequence[float] = (3, 5, 9, 12),
                         ignore_index: int = 255) -> np.ndarray:
    """Per-class boundary F-measure of one image (DAVIS semantics), equal to
    :func:`~.boundary_fscore_reference.boundary_fscore_per_class`.

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
    pred, gt = np.asarray(pred), np.asarray(gt)
    ths = _check(pred.shape, gt.shape, num_classes, thresholds)
    sentinel = 255 if num_classes < 255 else 65535
    code_g = _codes(gt, num_classes, sentinel)
    code_p = _codes(pred, num_classes, sentinel)
    # sentinel is all ones: OR with 0 / all-ones sets the ignored pixels
    code_p |= np.negative((gt == ignore_index).astype(code_p.dtype))
    size = gt.size
    count_p = _class_counts(code_p, num_classes)
    count_g = _class_counts(code_g, num_classes)
    # a class mask has a seg2bmap boundary iff it is neither empty nor full
    has_p = (count_p[:num_classes] > 0) & (count_p[:num_classes] < size)
    has_g = (count_g[:num_classes] > 0) & (count_g[:num_classes] < size)
    both = np.flatnonzero(has_p & has_g)
    plans = [disk_columns(t) for t in ths]
    radius = max(r for r, _ in plans)
    n_fg = np.where(has_p, 1, 0)  # exact counts below where they matter
    n_gt = np.where(has_g, 1, 0)
    fg_match = np.zeros((len(ths), num_classes), np.int64)
    gt_match = np.zeros((len(ths), num_classes), np.int64)
    if len(both):
        masks_p, index_p = _diff_masks(code_p)
        masks_g, index_g = _diff_masks(code_g)
    for j in range(0, len(both), 8):
        classes = both[j:j + 8]
        k = len(classes)
        table = np.zeros(sentinel + 1, np.uint8)
        table[classes] = 1 << np.arange(k, dtype=np.uint8)
        plane_p = _bitplane(code_p, masks_p, table)
        plane_g = _bitplane(code_g, masks_g, table)
        values_p = plane_p.ravel()[index_p]
        values_g = plane_g.ravel()[index_g]
        n_fg[classes] = _bit_counts(values_p)[:k]
        n_gt[classes] = _bit_counts(values_g)[:k]
        fg_match[:, classes] = _matched_counts(plane_g, index_p, values_p,
                                               plans, radius)[:, :k]
        gt_match[:, classes] = _matched_counts(plane_p, index_g, values_g,
                                               plans, radius)[:, :k]
    out = np.zeros((num_classes, len(ths)))
    for t in range(len(ths)):
        out[:, t] = _fscore(n_fg, n_gt, fg_match[t], gt_match[t])
    return out


def _dilate_torch(x: torch.Tensor, threshold: float) -> torch.Tensor:
    """Max over the disk (``disk_columns``) of a B x C x H x W float tensor,
    as a union of rectangles, each a separable max-pool."""
    r, heights = disk_columns(threshold)
    widths = {}  # half-height b -> largest half-width of a column with b
    for i, b in enumerate(heights):
        widths[b] = max(widths.get(b, 0), abs(i - r))
    out = None
    for b, a in widths.items():
        # every column |dx| <= a has half-height >= b: the rectangle
        # [-b, b] x [-a, a] lies in the disk, and these cover it
        y = F.max_pool2d(x, (2 * b + 1, 1), 1, (b, 0)) if b else x
        y = F.max_pool2d(y, (1, 2 * a + 1), 1, (0, a)) if a else y
        out = y if out is None else torch.maximum(out, y)
    return out


def _boundaries_torch(code: torch.Tensor, num_classes: int) -> torch.Tensor:
    """B x K x H x W seg2bmap boundaries (bool) of every class."""
    onehot = F.one_hot(code, num_classes + 1)[..., :num_classes]
    m = onehot.permute(0, 3, 1, 2).bool()
    # neighbours outside the image equal the pixel (edge replication)
    p = torch.cat([m, m[:, :, -1:]], 2)
    p = torch.cat([p, p[:, :, :, -1:]], 3)
    east, south, south_east = p[:, :, :-1, 1:], p[:, :, 1:, :-1], \
        p[:, :, 1:, 1:]
    return (m ^ east) | (m ^ south) | (m ^ south_east)


def boundary_fscore_torch(pred: torch.Tensor,
                          gt: torch.Tensor,
                          num_classes: int,
                          thresholds: Sequence[float] = (3, 5, 9, 12),
                          ignore_index: int = 255) -> np.ndarray:
    """:func:`boundary_fscore_fast` for a batch of label tensors on their
    device (e.g. predictions on a GPU): matches are counted with torch
    (one-hot boundaries, dilation by separable ``max_pool2d``), F with the
    same float64 arithmetic on the CPU.

    Args:
        pred (torch.Tensor): B x H x W predicted labels.
        gt (torch.Tensor): B x H x W ground-truth labels.
        num_classes (int): Number of classes.
        thresholds (Sequence[float]): As in :func:`boundary_fscore_fast`.
        ignore_index (int): Ignored ground-truth label. Default: 255.

    Returns:
        np.ndarray: ``B x num_classes x len(thresholds)`` F-measures.
    """
    if pred.dim() != 3:
        raise ValueError(f'pred must be B x H x W, got {tuple(pred.shape)}')
    ths = _check(pred.shape[1:], gt.shape[1:], num_classes, thresholds)
    gt = gt.to(pred.device)
    dtype = torch.float16 if pred.is_cuda else torch.float32

    def codes(label):
        label = label.long()
        valid = (label >= 0) & (label < num_classes)
        return torch.where(valid, label, torch.full_like(label, num_classes))

    code_g = codes(gt)
    code_p = codes(pred).masked_fill(gt == ignore_index, num_classes)
    bd_p = _boundaries_torch(code_p, num_classes)
    bd_g = _boundaries_torch(code_g, num_classes)
    n_fg = bd_p.sum((2, 3)).cpu().numpy()
    n_gt = bd_g.sum((2, 3)).cpu().numpy()
    fg_match, gt_match = [], []
    for th in ths:
        near_g = _dilate_torch(bd_g.to(dtype), th) > 0
        near_p = _dilate_torch(bd_p.to(dtype), th) > 0
        fg_match.append((bd_p & near_g).sum((2, 3)).cpu().numpy())
        gt_match.append((bd_g & near_p).sum((2, 3)).cpu().numpy())
    out = np.zeros((pred.shape[0], num_classes, len(ths)))
    for i in range(pred.shape[0]):
        for t in range(len(ths)):
            out[i, :, t] = _fscore(n_fg[i], n_gt[i], fg_match[t][i],
                                   gt_match[t][i])
    return out
