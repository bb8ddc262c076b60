# Copyright (c) mmseg_gated contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS
from scipy.ndimage import distance_transform_edt


def one_hot_edge_map(label: np.ndarray,
                     num_classes: int = 19,
                     radius: float = 2,
                     label_offset: int = 1) -> np.ndarray:
    """The Gated-SCNN authors' edge ground truth of a label map.

    Their loader (``datasets/cityscapes.py`` calling ``datasets/
    edge_utils.py``: ``mask_to_onehot`` then ``onehot_to_binary_edges``):
    one channel per label value ``label_offset + i``, ``i < num_classes``
    (theirs: ``mask == i + 1``, so label 0 has no channel); each channel is
    zero-padded by one pixel, the Euclidean distance transforms of the
    channel and of its complement are added, cropped back, kept where in
    ``(0, radius]``, and the channels are OR-ed. A pixel is 1 when a pixel of
    different membership of some channel lies within ``radius``: borders
    between labels of which one has a channel, and the image border of those
    labels (the padding); other labels (0 and the ignore label for theirs)
    are background. Channels of absent labels add what scipy's transform of
    an all-ones array gives (nothing for ``radius < sqrt(5)``).

    Args:
        label (ndarray): H x W integer label map.
        num_classes (int): Number of channels. Default: 19 (theirs).
        radius (float): Distance threshold. Default: 2 (theirs).
        label_offset (int): Label value of the first channel. Default: 1
            (theirs; 0 gives every class a channel).

    Returns:
        ndarray: H x W uint8 map of 0/1.
    """
    h, w = label.shape
    present = set(np.unique(label).tolist())
    edge = np.zeros((h, w), dtype=bool)
    absent_done = False
    for i in range(num_classes):
        value = i + label_offset
        if value in present:
            channel = np.pad((label == value).astype(np.uint8), 1)
            dist = distance_transform_edt(channel) + \
                distance_transform_edt(1.0 - channel)
        elif not absent_done:
            # an all-zero padded channel: only its complement contributes;
            # the same for every absent label, so computed once
            dist = distance_transform_edt(np.ones((h + 2, w + 2)))
            absent_done = True
        else:
            continue
        dist = dist[1:-1, 1:-1]
        edge |= (dist > 0) & (dist <= radius)
    return edge.astype(np.uint8)


@TRANSFORMS.register_module()
class GenerateOneHotEdgeMap(BaseTransform):
    """Edge ground truth as the Gated-SCNN authors' training computes it
    (:func:`one_hot_edge_map`), written to ``results['gt_edge_map']`` (0/1,
    no ignore value; packed by ``PackSegInputs`` into
    ``data_sample.gt_edge_map``).

    Differs from :class:`GenerateBoundaryBand` (the band as the paper
    describes it): label 0 (Cityscapes road) gets no channel, so borders
    between road and ignored pixels are no edge; the image border counts as
    an edge of the labelled classes touching it; ignored pixels are
    background, not ignored. Put it after the geometric transforms (theirs
    runs after crop, flip and padding, on the final label map).

    Required Keys: ``gt_seg_map``. Added Keys: ``gt_edge_map`` (also added to
    ``seg_fields``).

    Args:
        num_classes (int): Number of channels. Default: 19.
        radius (float): Distance threshold in pixels. Default: 2.
        label_offset (int): Label of the first channel. Default: 1 (theirs).
    """

    def __init__(self,
                 num_classes: int = 19,
                 radius: float = 2,
                 label_offset: int = 1) -> None:
        if radius < 0:
            raise ValueError(f'radius must be >= 0, got {radius}')
        self.num_classes = num_classes
        self.radius = radius
        self.label_offset = label_offset

    def transform(self, results: dict) -> dict:
        if 'gt_seg_map' not in results:
            raise KeyError('GenerateOneHotEdgeMap needs gt_seg_map: put it '
                           'after LoadAnnotations')
        results['gt_edge_map'] = one_hot_edge_map(results['gt_seg_map'],
                                                  self.num_classes,
                                                  self.radius,
                                                  self.label_offset)
        seg_fields = results.setdefault('seg_fields', [])
        if 'gt_edge_map' not in seg_fields:
            seg_fields.append('gt_edge_map')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_classes={self.num_classes}, '
                f'radius={self.radius}, label_offset={self.label_offset})')
