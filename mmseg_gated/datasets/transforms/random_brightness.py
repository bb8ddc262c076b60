# Copyright (c) mmseg_gated contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomBrightness(BaseTransform):
    """Shift every pixel by one random brightness offset.

    GFF's colour augmentation ("random color jittering within the range of
    [-10, 10]", GFF paper, Implementation Details): ``beta ~ U(-delta,
    delta)`` added to all channels, clipped to [0, 255], cast back to the
    input dtype. It is the brightness step of mmseg's
    ``PhotoMetricDistortion`` on its own: that transform cannot switch its
    other steps off (``hue_delta=0`` makes ``np.random.randint(0, 0)``
    raise, and neutral saturation/hue ranges still round-trip the image
    through 8-bit HSV, changing pixel values).

    The random numbers come from ``numpy.random``, as mmcv's transforms.

    Required Keys: ``img``. Modified Keys: ``img``.

    Args:
        delta (float): Largest absolute offset. Default: 10 (GFF paper).
        prob (float): Probability of shifting an image. Default: 1.0 (the
            paper gives none; mmseg's ``PhotoMetricDistortion`` uses 0.5).
    """

    def __init__(self, delta: float = 10., prob: float = 1.0) -> None:
        if delta < 0:
            raise ValueError(f'RandomBrightness: delta must be >= 0, got '
                             f'{delta}')
        if not 0. <= prob <= 1.:
            raise ValueError(f'RandomBrightness: prob must be in [0, 1], '
                             f'got {prob}')
        self.delta = float(delta)
        self.prob = float(prob)

    @cache_randomness
    def _random_beta(self):
        if self.prob < 1. and np.random.rand() >= self.prob:
            return None
        return float(np.random.uniform(-self.delta, self.delta))

    def transform(self, results: dict) -> dict:
        beta = self._random_beta()
        if beta is not None:
            img = results['img']
            shifted = np.clip(img.astype(np.float32) + beta, 0, 255)
            results['img'] = shifted.astype(img.dtype)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(delta={self.delta}, '
                f'prob={self.prob})')
