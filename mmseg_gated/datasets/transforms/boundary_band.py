# Copyright (c) mmseg_gated contributors. All rights reserved.
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from mmseg_gated.utils.boundary import boundary_band_np


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
