# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class CentroidCrop(BaseTransform):
    """Random crop over a class centroid, padding an image smaller than it.

    The authors' crop (NVIDIA/semantic-segmentation
    ``transforms/joint_transforms.py``, ``RandomCrop`` with ``nopad=False``
    as ``RandomSizeAndCrop`` uses it, ``TRANSLATE_AUG_FIX`` off):

    - a dimension where the image is smaller than the crop is padded on both
      sides by ``(crop - size) // 2 + 1`` pixels, the image with
      ``pad_val`` (black, before normalisation), the label maps with
      ``seg_pad_val`` (ignore);
    - with a centroid ``(cx, cy)`` (``results['centroid']``, drawn by
      :class:`ClassUniformDataset` in the original image, multiplied by
      ``results['scale_factor']`` of a preceding resize and truncated):
      ``x1 = randint(cx - crop_w, cx)`` clipped to ``[0, w - crop_w]``,
      likewise ``y1``, so the crop covers the centroid wherever the image
      allows (the centroid is not shifted by the padding, as theirs);
    - without one: ``x1, y1`` uniform over all crops inside the (padded)
      image, mmseg's ``RandomCrop`` without ``cat_max_ratio``.

    With ``crop_size`` the full frame (1024, 2048) and a random scale below
    1 this is their "full crop" training: the scaled image sits inside the
    frame and the border is ignored. mmseg's ``RandomCrop`` plus the data
    preprocessor's padding differ: they put the image at the top left and
    pad the normalised image with 0 (the mean colour).

    Works on ``img`` and every key of ``seg_fields`` (on the label maps
    alone when there is no ``img``). Added keys: ``crop_bbox`` (y1, y2, x1,
    x2 in the padded image), ``pad_border`` (top, bottom, left, right) and
    ``crop_centroid`` (the centroid's (x, y) in the crop, or None).

    Args:
        crop_size (int | tuple[int, int]): (height, width) of the crop.
        pad_val (float): Image padding value. Default: 0.
        seg_pad_val (int): Label padding value. Default: 255.
    """

    def __init__(self,
                 crop_size: Union[int, Sequence[int]],
                 pad_val: float = 0,
                 seg_pad_val: int = 255):
        if isinstance(crop_size, int):
            crop_size = (crop_size, crop_size)
        assert len(crop_size) == 2 and min(crop_size) > 0, crop_size
        self.crop_size = tuple(int(s) for s in crop_size)
        self.pad_val = pad_val
        self.seg_pad_val = seg_pad_val

    @staticmethod
    def _offset(size: int, crop: int, centre) -> int:
        if centre is None:
            return int(np.random.randint(0, size - crop + 1))
        start = int(np.random.randint(centre - crop, centre + 1))
        return min(size - crop, max(0, start))

    def transform(self, results: dict) -> dict:
        seg_keys = results.get('seg_fields', [])
        img = results.get('img')
        h, w = (img if img is not None else results[seg_keys[0]]).shape[:2]
        ch, cw = self.crop_size
        centroid = results.get('centroid')
        if centroid is not None:
            sx, sy = results.get('scale_factor', (1.0, 1.0))
            centroid = (int(centroid[0] * sx), int(centroid[1] * sy))
        if (h, w) == (ch, cw):
            results['crop_bbox'] = (0, h, 0, w)
            results['pad_border'] = (0, 0, 0, 0)
            results['crop_centroid'] = centroid
            return results

        pad_h = (ch - h) // 2 + 1 if ch > h else 0
        pad_w = (cw - w) // 2 + 1 if cw > w else 0
        if pad_h or pad_w:
            border = ((pad_h, pad_h), (pad_w, pad_w))
            if img is not None:
                img = np.pad(
                    img,
                    border + ((0, 0), ) * (img.ndim - 2),
                    constant_values=self.pad_val)
            for key in seg_keys:
                results[key] = np.pad(
                    results[key], border, constant_values=self.seg_pad_val)
            h, w = h + 2 * pad_h, w + 2 * pad_w

        x1 = self._offset(w, cw, None if centroid is None else centroid[0])
        y1 = self._offset(h, ch, None if centroid is None else centroid[1])
        if img is not None:
            results['img'] = img[y1:y1 + ch, x1:x1 + cw]
        for key in seg_keys:
            results[key] = results[key][y1:y1 + ch, x1:x1 + cw]
        results['img_shape'] = (ch, cw)
        results['crop_bbox'] = (y1, y1 + ch, x1, x1 + cw)
        results['pad_border'] = (pad_h, pad_h, pad_w, pad_w)
        results['crop_centroid'] = None if centroid is None else (centroid[0] -
                                                                  x1,
                                                                  centroid[1] -
                                                                  y1)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(crop_size={self.crop_size}, '
                f'pad_val={self.pad_val}, seg_pad_val={self.seg_pad_val})')
