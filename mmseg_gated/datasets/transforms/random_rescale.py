# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomRescale(BaseTransform):
    """Rescale the image by a random factor of its own size.

    The scale step of NVIDIA/semantic-segmentation's ``RandomSizeAndCrop``
    (``transforms/joint_transforms.py``): a factor ``s`` uniform in
    ``ratio_range``, the image resized to ``(int(w * s), int(h * s))``
    (truncation, as theirs), the label with nearest neighbours. Unlike
    mmcv's ``RandomResize``, which scales a fixed target ``scale``, the
    factor applies to the input image, so datasets of mixed image sizes
    (Mapillary) keep each image's own resolution on average. The resize
    itself is mmseg's ``Resize`` (``keep_ratio=False`` to the computed
    size), which records ``scale_factor`` for ``CentroidCrop``.

    Required Keys: ``img``, ``gt_seg_map`` (optional).
    Modified Keys: ``img``, ``img_shape``, ``gt_seg_map``.
    Added Keys: ``scale``, ``scale_factor``, ``keep_ratio``.

    Args:
        ratio_range (tuple[float, float]): Range of the uniform factor.
            Default: (0.5, 2.0) (authors' ``scale_min``/``scale_max``).
        interpolation (str): Image interpolation. Default: 'bicubic'
            (authors).
    """

    def __init__(self,
                 ratio_range: Tuple[float, float] = (0.5, 2.0),
                 interpolation: str = 'bicubic') -> None:
        low, high = ratio_range
        if not 0 < low <= high:
            raise ValueError('RandomRescale: ratio_range must be (low, high) '
                             f'with 0 < low <= high, got {ratio_range}')
        self.ratio_range = (float(low), float(high))
        self.resize = TRANSFORMS.build(
            dict(
                type='Resize',
                scale=(1, 1),
                keep_ratio=False,
                interpolation=interpolation))

    @cache_randomness
    def _random_ratio(self) -> float:
        return float(np.random.uniform(*self.ratio_range))

    def transform(self, results: dict) -> dict:
        h, w = results['img'].shape[:2]
        ratio = self._random_ratio()
        scale = (max(1, int(w * ratio)), max(1, int(h * ratio)))
        # as mmcv's RandomResize: the inner Resize reads its own ``scale``
        self.resize.scale = scale
        results['scale'] = scale
        return self.resize(results)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(ratio_range={self.ratio_range}, '
                f'interpolation={self.resize.interpolation!r})')
