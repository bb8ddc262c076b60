"""RandomBrightness against a hand computation of GFF's colour jitter.

GFF paper: "random color jittering within the range of [-10, 10]": one
offset ``beta ~ U(-10, 10)`` added to every pixel, clipped to [0, 255].
The reference draws ``beta`` from the same numpy seed and shifts a float64
copy of the image. mmseg's ``PhotoMetricDistortion`` with the other steps
neutral is shown to fail (hue) or to change pixels (HSV round trip).
"""
import numpy as np
import pytest
from mmseg.registry import TRANSFORMS

import mmseg_gated  # noqa: F401


@pytest.mark.parametrize('seed', [0, 3, 7])
def test_random_brightness_matches_hand_computation(seed):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (9, 11, 3), dtype=np.uint8)
    img[0, 0] = 0
    img[0, 1] = 255  # both clip ends are exercised for either sign
    t = TRANSFORMS.build(dict(type='RandomBrightness', delta=10))
    np.random.seed(seed)
    out = t(dict(img=img.copy()))['img']
    np.random.seed(seed)
    beta = np.random.uniform(-10, 10)
    ref = np.clip(img.astype(np.float64) + beta, 0, 255).astype(np.uint8)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, ref)
    assert 0 < abs(beta) <= 10


def test_random_brightness_prob_zero_keeps_image():
    img = np.full((4, 4, 3), 100, np.uint8)
    t = TRANSFORMS.build(dict(type='RandomBrightness', delta=10, prob=0.))
    np.testing.assert_array_equal(t(dict(img=img.copy()))['img'], img)


def test_mmseg_photometric_cannot_express_brightness_only():
    """Why the transform exists: mmseg's cannot switch hue off."""
    t = TRANSFORMS.build(
        dict(
            type='PhotoMetricDistortion',
            brightness_delta=10,
            contrast_range=(1.0, 1.0),
            saturation_range=(1.0, 1.0),
            hue_delta=0))
    img = np.random.default_rng(0).integers(0, 256, (8, 8, 3), np.uint8)
    failed = 0
    for seed in range(20):
        np.random.seed(seed)
        try:
            t(dict(img=img.copy()))
        except ValueError:  # np.random.randint(0, 0): high <= 0
            failed += 1
    assert failed > 0


def test_random_brightness_rejects_bad_args():
    with pytest.raises(ValueError, match='delta'):
        TRANSFORMS.build(dict(type='RandomBrightness', delta=-1))
    with pytest.raises(ValueError, match='prob'):
        TRANSFORMS.build(dict(type='RandomBrightness', prob=2))
