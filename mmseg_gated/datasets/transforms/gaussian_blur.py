# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmseg.registry import TRANSFORMS
from scipy.ndimage import gaussian_filter


@TRANSFORMS.register_module()
class RandomGaussianBlur(BaseTransform):
    """Blur the image with a Gaussian of random sigma.

    The Gated-SCNN authors' training augmentation (``transforms/
    transforms.py``, ``RandomGaussianBlur``, on by default through
    ``--gblur``; also NVIDIA/semantic-segmentation's): ``sigma`` uniform in
    ``[0.15, 1.3)`` (their ``0.15 + random() * 1.15``), each channel filtered
    separately with a Gaussian truncated at 4 sigma and nearest-edge
    padding (scikit-image's ``gaussian``, which calls
    ``scipy.ndimage.gaussian_filter``) on the image scaled to [0, 1], then
    scaled back by 255 and cast to uint8 (truncation, as theirs). Float
    images are filtered on their own scale and keep their dtype. Only the
    image changes.

    The random numbers come from ``numpy.random`` (as mmcv's transforms),
    so the pipeline is reproducible under mmengine's seeding.

    Required Keys: ``img``. Modified Keys: ``img``.

    Args:
        sigma_range (tuple[float, float]): Range of the uniform sigma.
            Default: (0.15, 1.3) (authors).
        prob (float): Probability of blurring an image. Default: 1.0
            (authors: every training image).
    """

    def __init__(self,
                 sigma_range: Tuple[float, float] = (0.15, 1.3),
                 prob: float = 1.0) -> None:
        low, high = sigma_range
        if not 0 < low <= high:
            raise ValueError('sigma_range must be (low, high) with '
                             f'0 < low <= high, got {sigma_range}')
        if not 0. <= prob <= 1.:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.sigma_range = (float(low), float(high))
        self.prob = prob

    @cache_randomness
    def _random_sigma(self) -> Optional[float]:
        """The sigma to use, or None to leave the image as it is."""
        if self.prob < 1. and np.random.rand() >= self.prob:
            return None
        return float(np.random.uniform(*self.sigma_range))

    @staticmethod
    def blur(img: np.ndarray, sigma: float) -> np.ndarray:
        """Blur ``img`` (H x W or H x W x C) channel by channel."""
        sigmas = (sigma, sigma) + (0, ) * (img.ndim - 2)
        if img.dtype == np.uint8:
            out = gaussian_filter(
                img.astype(np.float64) / 255.,
                sigmas,
                mode='nearest',
                truncate=4.0)
            return (out * 255.).astype(np.uint8)
        return gaussian_filter(
            img, sigmas, mode='nearest', truncate=4.0).astype(img.dtype)

    def transform(self, results: dict) -> dict:
        sigma = self._random_sigma()
        if sigma is not None:
            results['img'] = self.blur(results['img'], sigma)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(sigma_range={self.sigma_range}, '
                f'prob={self.prob})')
