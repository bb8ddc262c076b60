# Copyright (c) mmseg_gated contributors. All rights reserved.
"""The boundary band of Gated-SCNN (Eq. 3), vectorised over classes.

The band that supervises the shape stream is every pixel within Euclidean
distance ``radius`` of a pixel with another label. The authors sum, per
class, the distance transforms of the class mask and its complement and
keep distances ``<= radius``; a pixel is in some class's band exactly when a
differently labelled pixel lies in its disk of radius ``radius``, so one
grey dilation and one erosion of the label map by that disk give all
classes at once (``max != min``). :class:`GenerateBoundaryBand` computes it
in the data pipeline (:func:`boundary_band_np`), ``GSCNNHead`` on the
labels' device when the pipeline did not (:func:`boundary_band_torch`).
"""
import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


def disk_offsets(radius: float) -> np.ndarray:
    """Integer offsets ``(dy, dx)`` with ``dy**2 + dx**2 <= radius**2``."""
    if radius < 0:
        raise ValueError(f'radius must be >= 0, got {radius}')
    r = int(np.floor(radius))
    dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
    keep = dy**2 + dx**2 <= radius**2
    return np.stack([dy[keep], dx[keep]], axis=1)


def boundary_band_np(label: np.ndarray,
                     radius: float = 2,
                     ignore_index: int = 255,
                     border_as_boundary: bool = False) -> np.ndarray:
    """Boundary band of a label map (numpy), uint8 with 0/1 and ignore.

    Args:
        label (np.ndarray): H x W integer label map.
        radius (float): Band half-width in pixels (Euclidean). Default: 2.
        ignore_index (int): Label of ignored pixels; they count as a label of
            their own when looking for borders and get ``ignore_index`` in
            the output. Default: 255.
        border_as_boundary (bool): Treat pixels outside the image as another
            label, so the image border is a boundary (the authors' code pads
            with zeros before the distance transform). Default: False.

    Returns:
        np.ndarray: H x W uint8, 1 in the band, 0 outside, ``ignore_index``
        on ignored pixels.
    """
    if label.ndim != 2:
        raise ValueError(f'label must be H x W, got shape {label.shape}')
    lab = label.astype(np.int32)
    offsets = disk_offsets(radius)
    r = int(np.floor(radius))
    h, w = lab.shape
    if border_as_boundary:  # -1 outside the image: a label of its own
        padded = np.pad(lab, r, mode='constant', constant_values=-1)
    else:
        padded = np.pad(lab, r, mode='edge')
    hi = lab.copy()
    lo = lab.copy()
    for dy, dx in offsets:
        win = padded[r + dy:r + dy + h, r + dx:r + dx + w]
        np.maximum(hi, win, out=hi)
        np.minimum(lo, win, out=lo)
    band = (hi != lo).astype(np.uint8)
    band[label == ignore_index] = ignore_index
    return band


def boundary_band_torch(label: torch.Tensor,
                        radius: float = 2,
                        ignore_index: int = 255,
                        border_as_boundary: bool = False) -> torch.Tensor:
    """Same as :func:`boundary_band_np` for a ``(B, H, W)`` or ``(B, 1, H,
    W)`` label tensor, on its device. Returns a long tensor of the same
    shape with 0/1 and ``ignore_index``."""
    squeeze = label.dim() == 4
    if squeeze:
        if label.size(1) != 1:
            raise ValueError('label must be B x H x W or B x 1 x H x W, got '
                             f'{tuple(label.shape)}')
        label = label[:, 0]
    if label.dim() != 3:
        raise ValueError('label must be B x H x W or B x 1 x H x W, got '
                         f'{tuple(label.shape)}')
    lab = label.long()
    r = int(np.floor(radius))
    h, w = lab.shape[-2:]
    x = lab[:, None].float()
    if border_as_boundary:
        padded = F.pad(x, (r, r, r, r), mode='constant', value=-1.)
    else:
        padded = F.pad(x, (r, r, r, r), mode='replicate') if r > 0 else x
    padded = padded[:, 0].long()
    hi = lab.clone()
    lo = lab.clone()
    for dy, dx in disk_offsets(radius):
        win = padded[:, r + dy:r + dy + h, r + dx:r + dx + w]
        hi = torch.maximum(hi, win)
        lo = torch.minimum(lo, win)
    band = (hi != lo).long()
    band[lab == ignore_index] = ignore_index
    if squeeze:
        band = band[:, None]
    return band


@TRANSFORMS.register_module()
class GenerateBoundaryBand(BaseTransform):
    """Boundary ground truth of Gated-SCNN (the ``s_hat`` of Eq. 3).

    Writes ``results['gt_edge_map']`` (packed by mmseg's ``PackSegInputs``
    into ``data_sample.gt_edge_map``): 1 on every pixel within Euclidean
    distance ``radius`` of a pixel with another label, on both sides of every
    class border (the union over classes of the authors' per-class
    distance-transform bands, class 0 included), 0 elsewhere and
    ``ignore_index`` on ignored pixels. Borders between a class and an
    ignored region are boundaries of that class. Computed for all classes at
    once by a grey dilation and erosion of the label map with a disk.

    Required Keys: ``gt_seg_map``. Added Keys: ``gt_edge_map`` (also added to
    ``seg_fields`` so later geometric transforms move it with the labels).

    Args:
        radius (float): Band half-width in pixels. Default: 2.
        ignore_index (int): Ignored label. Default: 255.
        border_as_boundary (bool): Count the image border as a boundary, as
            the authors' code does (it zero-pads before the distance
            transforms). Default: False.
    """

    def __init__(self,
                 radius: float = 2,
                 ignore_index: int = 255,
                 border_as_boundary: bool = False) -> None:
        if radius < 0:
            raise ValueError(f'radius must be >= 0, got {radius}')
        self.radius = radius
        self.ignore_index = ignore_index
        self.border_as_boundary = border_as_boundary

    def transform(self, results: dict) -> dict:
        if 'gt_seg_map' not in results:
            raise KeyError('GenerateBoundaryBand needs gt_seg_map: put it '
                           'after LoadAnnotations')
        results['gt_edge_map'] = boundary_band_np(results['gt_seg_map'],
                                                  self.radius,
                                                  self.ignore_index,
                                                  self.border_as_boundary)
        seg_fields = results.setdefault('seg_fields', [])
        if 'gt_edge_map' not in seg_fields:
            seg_fields.append('gt_edge_map')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(radius={self.radius}, '
                f'ignore_index={self.ignore_index}, '
                f'border_as_boundary={self.border_as_boundary})')
