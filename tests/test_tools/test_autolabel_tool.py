"""tools/autolabel.py: image-suffix detection, clear errors before the
model loads, and the manifest that stops mixing two teachers' labels."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from helpers import load_module

autolabel = load_module('autolabel_tool', 'tools/autolabel.py')


def images(folder, names):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), np.zeros((4, 4, 3), np.uint8))


def test_detect_suffix_and_listing(tmp_path):
    images(tmp_path, ['a/0001TP_1.jpg', 'a/0001TP_2.jpg', 'b/x.png'])
    assert autolabel.detect_suffix(str(tmp_path)) == '.jpg'
    assert len(autolabel.list_images(str(tmp_path), '.jpg')) == 2
    with pytest.raises(
            FileNotFoundError,
            match=r"ends with --img-suffix '_leftImg8bit.png'; "
            r'found: .jpg \(2\), .png \(1\)'):
        autolabel.list_images(str(tmp_path), '_leftImg8bit.png')
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match='no images'):
        autolabel.detect_suffix(str(empty))


def test_errors_before_model_load(tmp_path):
    images(tmp_path / 'img', ['x.jpg'])
    base = [
        'cfg.py',
        str(tmp_path / 'missing.pth'), '--img-dir',
        str(tmp_path / 'img'), '--out-dir',
        str(tmp_path / 'out')
    ]
    with pytest.raises(ValueError, match='must contain 1.0'):
        autolabel.main(base + ['--scales', '0.5', '2.0'])
    with pytest.raises(FileNotFoundError, match="'.png'; found: .jpg"):
        autolabel.main(base + ['--img-suffix', '.png'])
    with pytest.raises(SystemExit, match='missing.pth.*does not exist'):
        autolabel.main(base)


def test_manifest_refuses_other_teacher(tmp_path):
    out = str(tmp_path / 'out')
    first = dict(
        config='/a.py',
        checkpoint_sha256='aa',
        threshold=0.9,
        scales=[0.5, 1.0],
        img_suffix='.jpg',
        label_suffix='.png')
    assert autolabel.check_manifest(out, first, overwrite=False)
    autolabel.write_manifest(out, first)
    with open(osp.join(out, autolabel.MANIFEST)) as f:
        assert json.load(f) == first
    # same teacher and settings: resume, keep existing labels
    assert autolabel.check_manifest(out, dict(first), overwrite=False)
    other = dict(first, checkpoint_sha256='bb', threshold=0.5)
    with pytest.raises(SystemExit) as info:
        autolabel.check_manifest(out, other, overwrite=False)
    msg = str(info.value)
    assert "checkpoint_sha256: 'aa' there, 'bb' now" in msg
    assert 'threshold: 0.9 there, 0.5 now' in msg and '--overwrite' in msg
    # --overwrite: allowed, and every image is relabelled
    assert not autolabel.check_manifest(out, other, overwrite=True)


def test_mask_border_by_hand():
    label = np.arange(30, dtype=np.uint8).reshape(5, 6)
    got = autolabel.mask_border(label, (1, 4, 2, 5))
    x = 255
    np.testing.assert_array_equal(got, [
        [x, x, x, x, x, x],
        [x, x, 8, 9, 10, x],
        [x, x, 14, 15, 16, x],
        [x, x, 20, 21, 22, x],
        [x, x, x, x, x, x],
    ])
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(label, np.arange(30).reshape(5, 6))


def test_coarse_override_by_hand():
    """The authors' custom_coarse_dropout_classes: a class the teacher
    predicts somewhere takes the coarse label's pixels of that class; the
    classes in ascending order, so 16, which the teacher predicts only on a
    pixel the coarse label makes 14, gets nothing; 15 is not predicted."""
    label = np.array([[14, 0, 16, 255], [1, 14, 2, 3], [0, 0, 0, 0]], np.uint8)
    coarse = np.array([[255, 14, 14, 16], [15, 15, 16, 14], [14, 16, 255, 15]],
                      np.uint8)
    got = autolabel.coarse_override(label, coarse, (16, 14, 15))
    np.testing.assert_array_equal(
        got, [[14, 14, 14, 255], [1, 14, 2, 14], [14, 0, 0, 0]])
    # 16 alone: predicted at (0, 2), so the coarse 16 pixels join it
    np.testing.assert_array_equal(
        autolabel.coarse_override(label, coarse, (16, )),
        [[14, 0, 16, 16], [1, 14, 16, 3], [0, 16, 0, 0]])
    with pytest.raises(ValueError, match='differ in size'):
        autolabel.coarse_override(label, coarse[:2], (14, ))


def _probs(argmax, conf, num_classes):
    """C x H x W probabilities with the given argmax and top probability
    (the rest shared equally)."""
    argmax, conf = np.asarray(argmax), np.asarray(conf, np.float64)
    p = np.repeat(((1 - conf) / (num_classes - 1))[None], num_classes, 0)
    for c in range(num_classes):
        p[c][argmax == c] = conf[argmax == c]
    return torch.from_numpy(p)


def test_pseudo_label_border_coarse_threshold_order_by_hand():
    """Border mask, then coarse override, then threshold (the authors'
    order: read_images, then the probability threshold in __getitem__)."""
    probs = _probs([[1, 0, 2], [0, 1, 0], [2, 2, 1]],
                   [[0.9, 0.8, 0.4], [0.6, 0.45, 0.7], [0.9, 0.9, 0.9]], 3)
    coarse = np.array([[0, 2, 0], [1, 2, 2], [1, 1, 1]], np.uint8)
    x = 255
    np.testing.assert_array_equal(
        autolabel.pseudo_label(probs, 0.5), [[1, 0, x], [0, x, 0], [2, 2, 1]])
    # border keeps rows 0-1; class 1 takes coarse (1, 0) and row 2 back,
    # class 2 takes (0, 1), (1, 1), (1, 2); then 0.4 and 0.45 -> ignore
    got = autolabel.pseudo_label(
        probs, 0.5, border=(0, 2, 0, 3), coarse=coarse, coarse_classes=(1, 2))
    np.testing.assert_array_equal(got, [[1, 2, x], [1, x, 2], [1, 1, 1]])
    got = autolabel.pseudo_label(probs, 0.5, border=(0, 2, 0, 3))
    np.testing.assert_array_equal(got, [[1, 0, x], [0, x, 0], [x, x, x]])


def test_default_threshold_is_the_papers():
    args = autolabel.parse_args(
        ['c.py', 'k.pth', '--img-dir', 'i', '--out-dir', 'o'])
    assert args.threshold == 0.5
    assert args.mask_border is None and args.coarse_classes is None


def test_coarse_options_checked_before_model_load(tmp_path):
    images(tmp_path / 'img', ['c/x_leftImg8bit.png', 'c/y_leftImg8bit.png'])
    (tmp_path / 'coarse' / 'c').mkdir(parents=True)
    cv2.imwrite(
        str(tmp_path / 'coarse' / 'c' / 'x_gtCoarse_labelTrainIds.png'),
        np.zeros((4, 4), np.uint8))
    base = [
        'cfg.py',
        str(tmp_path / 'missing.pth'), '--img-dir',
        str(tmp_path / 'img'), '--out-dir',
        str(tmp_path / 'out'), '--img-suffix', '_leftImg8bit.png'
    ]
    with pytest.raises(ValueError, match='go together'):
        autolabel.main(base + ['--coarse-classes', '14'])
    with pytest.raises(
            FileNotFoundError,
            match=r'1 of 2 images have no coarse label.*'
            r'y_gtCoarse_labelTrainIds.png'):
        autolabel.main(base + [
            '--coarse-dir',
            str(tmp_path / 'coarse'), '--coarse-classes', '14'
        ])
    with pytest.raises(ValueError, match='TOP < BOTTOM'):
        autolabel.main(base + ['--mask-border', '5', '5', '0', '4'])
