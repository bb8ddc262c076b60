# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Tuple


class FeatureMapping:
    """Coordinates between a feature map and the original image.

    A feature index goes to the network input (the padded batch) and then
    to the original image with the convention the model resizes its logits
    with: ``align_corners=False``: ``u = (i + 0.5) * size_out / size_in -
    0.5``; ``True``: ``u = i * (size_out - 1) / (size_in - 1)``.

    Args:
        feat_hw (tuple): The feature map's size.
        input_hw (tuple): The network input's size (after padding).
        img_hw (tuple): The resized image inside the input (``img_shape``).
        ori_hw (tuple): The original image's size.
        align_corners (bool): The model's convention. Default: False.
    """

    def __init__(self,
                 feat_hw,
                 input_hw,
                 img_hw,
                 ori_hw,
                 align_corners: bool = False) -> None:
        self.steps = [(feat_hw, input_hw), (img_hw, ori_hw)]
        self.align_corners = align_corners

    def _map(self, v, size_in, size_out):
        if self.align_corners:
            return v * (size_out - 1) / max(size_in - 1, 1)
        return (v + 0.5) * size_out / size_in - 0.5

    def to_image(self, y, x):
        """Feature coordinates (scalars or arrays) -> image pixels."""
        for (hi, wi), (ho, wo) in self.steps:
            y, x = self._map(y, hi, ho), self._map(x, wi, wo)
        return y, x

    def to_feature(self, y, x):
        """Image pixels -> feature coordinates."""
        for (hi, wi), (ho, wo) in reversed(self.steps):
            y, x = self._map(y, ho, hi), self._map(x, wo, wi)
        return y, x

    def stride(self) -> Tuple[float, float]:
        """Image pixels per feature pixel (y, x)."""
        y0, x0 = self.to_image(0.0, 0.0)
        y1, x1 = self.to_image(1.0, 1.0)
        return y1 - y0, x1 - x0
