"""RandomRescale against a hand computation of the authors' scale step.

NVIDIA/semantic-segmentation ``RandomSizeAndCrop``: ``s ~ U(min, max)``,
size ``(int(w * s), int(h * s))``, bicubic image, nearest label. The
reference here calls OpenCV directly with the factor drawn from the same
numpy seed.
"""
import cv2
import numpy as np
import pytest
from mmseg.registry import TRANSFORMS

import mmseg_gated  # noqa: F401


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_random_rescale_matches_hand_computation(seed):
    rng = np.random.default_rng(seed)
    h, w = 37, 53
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    label = rng.integers(0, 5, (h, w), dtype=np.uint8)
    t = TRANSFORMS.build(dict(type='RandomRescale', ratio_range=(0.5, 2.0)))
    np.random.seed(seed)
    out = t(
        dict(
            img=img.copy(), gt_seg_map=label.copy(),
            seg_fields=['gt_seg_map']))
    np.random.seed(seed)
    s = np.random.uniform(0.5, 2.0)
    size = (int(w * s), int(h * s))
    assert out['img'].shape[:2] == (size[1], size[0])
    assert out['img_shape'] == (size[1], size[0])
    ref_img = cv2.resize(img, size, interpolation=cv2.INTER_CUBIC)
    ref_lbl = cv2.resize(label, size, interpolation=cv2.INTER_NEAREST)
    np.testing.assert_array_equal(out['img'], ref_img)
    np.testing.assert_array_equal(out['gt_seg_map'], ref_lbl)
    np.testing.assert_allclose(out['scale_factor'], (size[0] / w, size[1] / h))


def test_random_rescale_follows_each_image_size():
    t = TRANSFORMS.build(dict(type='RandomRescale', ratio_range=(1.5, 1.5)))
    for h, w in [(20, 30), (40, 10)]:
        out = t(dict(img=np.zeros((h, w, 3), np.uint8)))
        assert out['img'].shape[:2] == (int(h * 1.5), int(w * 1.5))


def test_random_rescale_rejects_bad_range():
    with pytest.raises(ValueError, match='ratio_range'):
        TRANSFORMS.build(dict(type='RandomRescale', ratio_range=(2.0, 1.0)))
