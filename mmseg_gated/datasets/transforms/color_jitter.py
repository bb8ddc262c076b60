# Copyright (c) mmseg_gated contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS
from PIL import Image, ImageEnhance


@TRANSFORMS.register_module()
class ColorJitter(BaseTransform):
    """Brightness, contrast, saturation and hue jitter in a random order.

    The image augmentation of the hierarchical multi-scale attention
    authors (NVIDIA/semantic-segmentation ``transforms/transforms.py``
    ``ColorJitter``, ``--color_aug 0.25`` for all three factors and the hue),
    torchvision's definition on a PIL image: factors ``b, c, s`` uniform in
    ``[max(0, 1 - x), 1 + x]`` applied with PIL's ``ImageEnhance``
    (``Brightness``, ``Contrast``, ``Color``), a hue shift ``u`` uniform in
    ``[-hue, hue]`` added (mod 256) to the H channel of PIL's HSV image as
    ``int(u * 255)``; the four are applied in a random order. mmseg's
    ``PhotoMetricDistortion`` has other ranges and steps.

    Args:
        brightness (float): Brightness jitter. Default: 0.
        contrast (float): Contrast jitter. Default: 0.
        saturation (float): Saturation jitter. Default: 0.
        hue (float): Hue jitter, at most 0.5. Default: 0.
    """

    def __init__(self,
                 brightness: float = 0.,
                 contrast: float = 0.,
                 saturation: float = 0.,
                 hue: float = 0.):
        if not 0 <= hue <= 0.5:
            raise ValueError(f'hue must be in [0, 0.5], got {hue}')
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue

    @staticmethod
    def _shift_hue(img: Image.Image, factor: float) -> Image.Image:
        h, s, v = img.convert('HSV').split()
        shifted = (np.asarray(h, np.int64) + int(factor * 255)) % 256
        h = Image.fromarray(shifted.astype(np.uint8), 'L')
        return Image.merge('HSV', (h, s, v)).convert('RGB')

    def transform(self, results: dict) -> dict:
        ops = []
        for amount, enhancer in ((self.brightness, ImageEnhance.Brightness),
                                 (self.contrast, ImageEnhance.Contrast),
                                 (self.saturation, ImageEnhance.Color)):
            if amount > 0:
                f = np.random.uniform(max(0., 1 - amount), 1 + amount)
                ops.append(lambda im, e=enhancer, f=f: e(im).enhance(f))
        if self.hue > 0:
            u = np.random.uniform(-self.hue, self.hue)
            ops.append(lambda im, u=u: self._shift_hue(im, u))
        if not ops:
            return results
        order = np.random.permutation(len(ops))
        img = results['img']
        # mmseg images are BGR
        pil = Image.fromarray(np.ascontiguousarray(img[..., ::-1]))
        for i in order:
            pil = ops[i](pil)
        results['img'] = np.ascontiguousarray(np.asarray(pil)[..., ::-1])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(brightness={self.brightness}, '
                f'contrast={self.contrast}, saturation={self.saturation}, '
                f'hue={self.hue})')
