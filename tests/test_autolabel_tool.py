"""tools/autolabel.py: image-suffix detection, clear errors before the
model loads, and the manifest that stops mixing two teachers' labels."""
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
spec = importlib.util.spec_from_file_location(
    'autolabel_tool', osp.join(REPO, 'tools', 'autolabel.py'))
autolabel = importlib.util.module_from_spec(spec)
spec.loader.exec_module(autolabel)


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
