"""Gated-SCNN: boundary ground truth and the boundary F-score."""
import numpy as np
import pytest
import torch
from scipy import ndimage

from mmseg_gated.datasets.transforms.boundary_band import (boundary_band_np,
                                                           boundary_band_torch)
from mmseg_gated.evaluation.metrics.boundary_fscore_reference import (
    boundary_fscore_per_class, class_boundary_points, threshold_pixels)


# ----------------------------------------------------------------- references
def band_reference(label, radius, ignore=255, pad_border=False):
    """The authors' per-class distance-transform band, all classes (class 0
    included), ignore as its own label; optional zero padding."""
    values = np.unique(label)
    band = np.zeros(label.shape, bool)
    for v in values:
        mask = (label == v).astype(np.uint8)
        if pad_border:
            mask = np.pad(mask, 1)
            d = ndimage.distance_transform_edt(mask) + \
                ndimage.distance_transform_edt(1 - mask)
            d = d[1:-1, 1:-1]
        else:
            if mask.all():
                continue
            d = ndimage.distance_transform_edt(mask) + \
                ndimage.distance_transform_edt(1 - mask)
        band |= (d > 0) & (d <= radius)
    out = band.astype(np.uint8)
    out[label == ignore] = ignore
    return out


def seg2bmap(mask):
    """DAVIS 1-pixel boundary of a binary mask (written from its
    definition)."""
    m = mask.astype(bool)
    e = np.zeros_like(m)
    s = np.zeros_like(m)
    se = np.zeros_like(m)
    e[:, :-1] = m[:, 1:]
    s[:-1, :] = m[1:, :]
    se[:-1, :-1] = m[1:, 1:]
    b = (m ^ e) | (m ^ s) | (m ^ se)
    b[-1, :] = m[-1, :] ^ e[-1, :]
    b[:, -1] = m[:, -1] ^ s[:, -1]
    b[-1, -1] = False
    return b


def disk(r):
    y, x = np.mgrid[-r:r + 1, -r:r + 1]
    return x**2 + y**2 <= r**2


def fscore_reference(pred, gt, num_classes, th, ignore=255):
    out = np.zeros(num_classes)
    for c in range(num_classes):
        fg = (pred == c) & (gt != ignore)
        gm = (gt == c)
        fb, gb = seg2bmap(fg), seg2bmap(gm)
        fd = ndimage.binary_dilation(fb, disk(th))
        gd = ndimage.binary_dilation(gb, disk(th))
        nf, ng = fb.sum(), gb.sum()
        if nf == 0 and ng > 0:
            p, r = 1, 0
        elif nf > 0 and ng == 0:
            p, r = 0, 1
        elif nf == 0 and ng == 0:
            p, r = 1, 1
        else:
            p, r = (fb & gd).sum() / nf, (gb & fd).sum() / ng
        out[c] = 0 if p + r == 0 else 2 * p * r / (p + r)
    return out


def blobs(shape, num_classes, seed, ignore_frac=0.0):
    rng = np.random.default_rng(seed)
    small = rng.integers(0, num_classes,
                         (shape[0] // 6 + 1, shape[1] // 6 + 1))
    lab = np.kron(small, np.ones((6, 6), int))[:shape[0], :shape[1]]
    lab = ndimage.shift(
        lab, (rng.integers(0, 4), rng.integers(0, 4)), order=0, mode='nearest')
    if ignore_frac:
        lab[rng.random(shape) < ignore_frac] = 255
    return lab


# ----------------------------------------------------------- boundary band
def two_squares():
    lab = np.zeros((12, 14), int)
    lab[2:6, 2:6] = 1
    lab[7:11, 8:13] = 2
    return lab


def test_band_two_squares_hand():
    lab = two_squares()
    band = boundary_band_np(lab, radius=1)
    # radius 1: the square's outline and the ring just outside it
    expected = np.zeros_like(lab)
    expected[1:7, 1:7] = 1
    expected[3:5, 3:5] = 0  # interior of the 4x4 square
    expected[1, 1] = expected[1, 6] = expected[6, 1] = expected[6, 6] = 0
    np.testing.assert_array_equal(band[:7, :7], expected[:7, :7])
    assert band[0].sum() == 0 and band[:, 0].sum() == 0


@pytest.mark.parametrize('radius', [1, 2, 3])
@pytest.mark.parametrize('pad', [False, True])
def test_band_matches_distance_transform(radius, pad):
    for lab in (two_squares(), blobs((23, 31), 4, 0, 0.05)):
        ours = boundary_band_np(lab, radius, border_as_boundary=pad)
        np.testing.assert_array_equal(
            ours, band_reference(lab, radius, pad_border=pad))
        torch_band = boundary_band_torch(
            torch.from_numpy(lab)[None], radius, border_as_boundary=pad)
        np.testing.assert_array_equal(torch_band[0].numpy(), ours)


def test_band_ignore_border_and_class_zero():
    lab = np.zeros((9, 9), int)
    lab[:, 6:] = 255  # ignore region right of column 6
    band = boundary_band_np(lab, radius=2)
    assert (band[:, 6:] == 255).all()
    # class 0 next to ignore is a boundary of class 0 (the authors' off-by-one
    # skips class 0 and would miss it)
    assert (band[:, 4:6] == 1).all() and (band[:, :4] == 0).all()
    # image border: not a boundary by default, a boundary on request
    assert band[0, 0] == 0
    padded = boundary_band_np(lab, radius=2, border_as_boundary=True)
    assert padded[0, 0] == 1 and padded[4, 4] == 1 and padded[4, 1] == 1
    assert padded[4, 2] == 0


def test_band_transform_packs_edge_map():
    from mmseg.datasets.transforms import PackSegInputs
    from mmseg.registry import TRANSFORMS
    t = TRANSFORMS.build(dict(type='GenerateBoundaryBand', radius=2))
    lab = two_squares().astype(np.uint8)
    res = t(
        dict(
            gt_seg_map=lab,
            img=np.zeros((12, 14, 3), np.uint8),
            seg_fields=['gt_seg_map']))
    np.testing.assert_array_equal(res['gt_edge_map'], band_reference(lab, 2))
    assert 'gt_edge_map' in res['seg_fields']
    packed = PackSegInputs()(res)
    assert packed['data_samples'].gt_edge_map.data.shape == (1, 12, 14)
    with pytest.raises(KeyError, match='gt_seg_map'):
        t(dict(img=np.zeros((4, 4, 3))))


# ---------------------------------------------------------- boundary F-score
def test_boundary_points_match_seg2bmap():
    lab = blobs((17, 19), 3, 1, 0.1)
    coords, classes = class_boundary_points(lab, 3)
    for c in range(3):
        b = np.zeros(lab.shape, bool)
        sel = coords[classes == c]
        b[sel[:, 0], sel[:, 1]] = True
        np.testing.assert_array_equal(b, seg2bmap(lab == c))


def test_fscore_identical_is_one():
    gt = blobs((30, 40), 4, 2, 0.05)
    f = boundary_fscore_per_class(gt, gt, 5, (1, 3))
    np.testing.assert_allclose(f, 1.0)


def test_fscore_two_pixel_shift():
    gt = np.zeros((20, 20), int)
    gt[:, 10:] = 1
    pred = np.zeros((20, 20), int)
    pred[:, 12:] = 1
    f = boundary_fscore_per_class(pred, gt, 2, (1, 2))
    np.testing.assert_allclose(f[:, 0], 0.0)  # penalised at 1 px
    np.testing.assert_allclose(f[:, 1], 1.0)  # forgiven at 2 px


def test_fscore_absent_class_and_one_sided():
    gt = np.zeros((10, 10), int)
    gt[:, 5:] = 1
    pred = gt.copy()
    pred[2:4, 2:4] = 2  # class 2 only predicted
    f = boundary_fscore_per_class(pred, gt, 4, (3, ))
    assert f[3, 0] == 1.0  # absent from both
    assert f[2, 0] == 0.0  # predicted only


def test_fscore_ignores_ignore_pixels():
    gt = np.zeros((16, 16), int)
    gt[:, 8:] = 1
    gt[4:12, 2:6] = 255
    pred = gt.copy()
    pred[4:12, 2:6] = 1  # wrong inside the ignore region only
    f = boundary_fscore_per_class(pred, gt, 2, (1, ))
    np.testing.assert_allclose(f, 1.0)


@pytest.mark.parametrize('th', [1, 2, 3, 5])
def test_fscore_matches_reference(th):
    for seed in range(3):
        gt = blobs((37, 45), 5, seed, 0.03)
        pred = blobs((37, 45), 5, seed + 10)
        pred[gt == 255] = 3
        ours = boundary_fscore_per_class(pred, gt, 6, (th, ))[:, 0]
        np.testing.assert_allclose(
            ours, fscore_reference(pred, gt, 6, th), atol=1e-12)


def test_threshold_fraction_of_diagonal():
    # the authors' fractions give 3, 5, 9 and 12 px on 1024 x 2048
    px = [
        threshold_pixels(t, (1024, 2048))
        for t in (0.00088, 0.001875, 0.00375, 0.005)
    ]
    assert px == [3, 5, 9, 12]
    with pytest.raises(ValueError, match='positive'):
        threshold_pixels(0, (4, 4))


def test_metric_end_to_end():
    from mmengine.structures import PixelData
    from mmseg.registry import METRICS
    from mmseg.structures import SegDataSample
    metric = METRICS.build(
        dict(type='BoundaryFScoreMetric', thresholds=(1, 2)))
    metric.dataset_meta = dict(classes=('a', 'b'))
    gt = torch.zeros(1, 20, 20, dtype=torch.long)
    gt[..., 10:] = 1
    samples = []
    for shift in (0, 2):
        pred = torch.zeros_like(gt)
        pred[..., 10 + shift:] = 1
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=gt)
        s.pred_sem_seg = PixelData(data=pred)
        samples.append(s.to_dict())
    metric.process({}, samples)
    res = metric.compute_metrics(metric.results)
    # image 1 perfect, image 2 shifted by 2 px: mean 50 at 1 px, 100 at 2 px
    assert res == {'mBF@1px': 50.0, 'mBF@2px': 100.0}
    with pytest.raises(ValueError, match='thresholds'):
        METRICS.build(dict(type='BoundaryFScoreMetric', thresholds=(0, )))


# ----------------------------------------------- distance-based evaluation
def test_center_crop_zoom():
    from mmseg.registry import TRANSFORMS
    img = np.zeros((20, 40, 3), np.uint8)
    img[8:12, 16:24] = 255  # a centre object
    seg = np.zeros((20, 40), np.uint8)
    seg[8:12, 16:24] = 1
    t = TRANSFORMS.build(dict(type='CenterCropZoom', crop_factor=5))
    out = t(
        dict(img=img.copy(), gt_seg_map=seg.copy(), seg_fields=['gt_seg_map']))
    assert out['img'].shape == img.shape and out['gt_seg_map'].shape == (20,
                                                                         40)
    # crop rows 5..15, cols 10..30 (half the size) scaled x2: object doubles
    assert (out['gt_seg_map'] == 1).sum() == 4 * (seg == 1).sum()
    assert set(np.unique(out['gt_seg_map'])) <= {0, 1}
    same = TRANSFORMS.build(dict(type='CenterCropZoom', crop_factor=0))(
        dict(img=img.copy(), gt_seg_map=seg.copy(), seg_fields=['gt_seg_map']))
    np.testing.assert_array_equal(same['gt_seg_map'], seg)
    with pytest.raises(ValueError, match='leaves nothing'):
        TRANSFORMS.build(dict(type='CenterCropZoom', crop_factor=10))(
            dict(img=img.copy(), seg_fields=[]))
    with pytest.raises(ValueError, match='crop_factor'):
        TRANSFORMS.build(dict(type='CenterCropZoom', crop_factor=-1))
