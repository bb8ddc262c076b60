# Copyright (c) mmseg_gated contributors. All rights reserved.
import mmcv
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class CenterCropZoom(BaseTransform):
    """Centre crop scaled back to the full size: the distance-based
    evaluation of Gated-SCNN (Fig. 5).

    Removes ``crop_factor`` pixels from the top and bottom of the image and
    ``crop_factor * W / H`` from the left and right (keeping the aspect
    ratio), then resizes the crop back to ``H x W`` (image bilinear, label
    maps nearest), so that objects far from the camera, near the image
    centre, get larger. mIoU over a range of crop factors measures the
    accuracy at growing distance. The size is unchanged, so put it after
    ``LoadAnnotations`` in a test pipeline without ``Resize`` (e.g. Cityscapes
    at 1024x2048), or see ``tools/analysis_tools/eval_gscnn_distance.py``.

    Required Keys: ``img``; ``gt_seg_map`` and other ``seg_fields`` if
    present. Modified Keys: the same.

    Args:
        crop_factor (int): Pixels removed from the top and bottom; 0 leaves
            the sample unchanged. Default: 0.
    """

    def __init__(self, crop_factor: int = 0) -> None:
        if not isinstance(crop_factor, int) or crop_factor < 0:
            raise ValueError('crop_factor must be a non-negative int, got '
                             f'{crop_factor!r}')
        self.crop_factor = crop_factor

    def transform(self, results: dict) -> dict:
        if self.crop_factor == 0:
            return results
        img = results['img']
        h, w = img.shape[:2]
        top = self.crop_factor
        left = int(round(self.crop_factor * w / h))
        if 2 * top >= h or 2 * left >= w:
            raise ValueError(f'crop_factor {self.crop_factor} leaves nothing '
                             f'of a {h}x{w} image')
        results['img'] = mmcv.imresize(
            img[top:h - top, left:w - left], (w, h), interpolation='bilinear')
        for key in results.get('seg_fields', []):
            seg = results[key]
            results[key] = mmcv.imresize(
                seg[top:h - top, left:w - left], (w, h),
                interpolation='nearest')
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(crop_factor={self.crop_factor})'
