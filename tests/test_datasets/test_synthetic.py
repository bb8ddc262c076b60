"""SyntheticSegDataset: deterministic, several classes, thin/small objects."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmseg.registry import DATASETS

import mmseg_gated  # noqa: F401


def build(root, **kw):
    return DATASETS.build(
        dict(type='SyntheticSegDataset', data_root=str(root), **kw))


def test_deterministic_and_seed_dependent(tmp_path):
    a = build(tmp_path, num_samples=3, img_size=(64, 80), seed=5)
    b = build(tmp_path, num_samples=3, img_size=(64, 80), seed=5)
    c = build(tmp_path, num_samples=3, img_size=(64, 80), seed=6)
    ia, sa = a.generate(1)
    ib, sb = b.generate(1)
    ic, sc = c.generate(1)
    np.testing.assert_array_equal(ia, ib)
    np.testing.assert_array_equal(sa, sb)
    assert not np.array_equal(sa, sc)
    assert ia.shape == (64, 80, 3) and ia.dtype == np.uint8
    assert sa.shape == (64, 80) and sa.dtype == np.uint8


def test_classes_and_structures(tmp_path):
    ds = build(tmp_path, num_samples=20, img_size=(128, 128), seed=0)
    assert len(ds.metainfo['classes']) == 6
    present = np.zeros(6, int)
    thin_ok = 0
    for i in range(20):
        _, seg = ds.generate(i)
        present += np.bincount(seg.ravel(), minlength=6) > 0
        # poles are at most 3 px wide: some row has a pole run of <= 3 px
        rows = np.where((seg == 3).any(1))[0]
        if len(rows):
            runs = (seg[rows[len(rows) // 2]] == 3).sum()
            thin_ok += runs <= 9  # up to 3 poles x 3 px
    assert present.min() >= 10, present  # every class in most scenes
    assert thin_ok >= 10
    # large regions dominate: sky + ground + building cover most pixels
    _, seg = ds.generate(0)
    assert np.isin(seg, [0, 1, 2]).mean() > 0.7


def test_pipeline_output(tmp_path):
    from mmseg.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile('configs/_base_/datasets/synthetic.py')
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.update(num_samples=4, data_root=str(tmp_path))
    ds = DATASETS.build(ds_cfg)
    out = ds[0]
    assert out['inputs'].shape == (3, 96, 96)
    assert out['data_samples'].gt_sem_seg.data.shape == (1, 96, 96)
    val_cfg = cfg.val_dataloader.dataset
    val_cfg.update(num_samples=3, data_root=str(tmp_path))
    val = DATASETS.build(val_cfg)
    out = val[0]
    assert out['inputs'].shape == (3, 128, 128)
    assert out['data_samples'].ori_shape == (128, 128)
    # the files mmseg's LoadImageFromFile/LoadAnnotations read are the
    # generated scene, bit for bit
    img, seg = val.generate(2)
    info = val.get_data_info(2)
    np.testing.assert_array_equal(cv2.imread(info['img_path']), img)
    np.testing.assert_array_equal(
        cv2.imread(info['seg_map_path'], cv2.IMREAD_UNCHANGED), seg)
    np.testing.assert_array_equal(
        val[2]['data_samples'].gt_sem_seg.data[0].numpy(), seg)


def test_files_written_once(tmp_path):
    ds = build(tmp_path, num_samples=3, img_size=(32, 48), seed=3)
    path = ds.get_data_info(1)['img_path']
    assert path.startswith(str(tmp_path)) and osp.isfile(path)
    stamp = os.stat(path).st_mtime_ns
    bigger = build(tmp_path, num_samples=5, img_size=(32, 48), seed=3)
    assert len(bigger) == 5 and os.stat(path).st_mtime_ns == stamp
    assert bigger.get_data_info(1)['img_path'] == path
    other = build(tmp_path, num_samples=2, img_size=(32, 48), seed=4)
    assert other.get_data_info(1)['img_path'] != path


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='data_prefix'):
        build(tmp_path, data_prefix=dict(img_path='x'))
    with pytest.raises(ValueError, match='num_samples'):
        build(tmp_path, num_samples=0)
    with pytest.raises(ValueError, match='img_size'):
        build(tmp_path, img_size=(8, 8))
