"""CamVidDataset on generated fixtures (always) and on the real folder."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from camvid_fixture import (fixture_label, make_original_camvid,
                            make_segnet_camvid)
from helpers import REPO_ROOT
from mmengine.config import Config
from mmseg.registry import DATASETS

import mmseg_gated  # noqa: F401

CLASSES = ('Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree', 'SignSymbol',
           'Fence', 'Car', 'Pedestrian', 'Bicyclist')


def _base_pipelines(size=None):
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'camvid.py'))
    return cfg.train_pipeline, cfg.test_pipeline


def test_segnet_layout_fixture(tmp_path):
    root = make_segnet_camvid(tmp_path, n_train=3, n_val=2, size=(24, 32))
    _, test_pipeline = _base_pipelines()
    ds = DATASETS.build(
        dict(
            type='CamVidDataset',
            data_root=root,
            ann_file='val.txt',
            img_suffix='.jpg',
            pipeline=test_pipeline))
    assert len(ds) == 2
    assert ds.metainfo['classes'] == CLASSES
    assert ds.metainfo['label_map'] == {11: 255}
    out = ds[0]
    label = out['data_samples'].gt_sem_seg.data.numpy()[0]
    # the image is resized to 480x360 (keep ratio: 24x32 -> 360x480); the
    # label is loaded after the resize, at the original size, as mmseg
    # evaluates
    assert out['inputs'].shape == (3, 360, 480)
    assert label.shape == (24, 32)
    raw = fixture_label(24, 32, seed=0)
    np.testing.assert_array_equal(label == 255, raw == 11)
    np.testing.assert_array_equal(label[raw != 11], raw[raw != 11])


def test_segnet_layout_train_pipeline(tmp_path):
    root = make_segnet_camvid(tmp_path, n_train=3, n_val=1, size=(48, 64))
    train_pipeline, _ = _base_pipelines()
    ds = DATASETS.build(
        dict(
            type='CamVidDataset',
            data_root=root,
            ann_file='train.txt',
            img_suffix='.jpg',
            pipeline=train_pipeline))
    assert len(ds) == 3
    for i in range(3):
        out = ds[i]
        c, h, w = out['inputs'].shape
        # random resize (0.5-2x of 480x360) then a crop of at most 360x480
        assert c == 3 and h <= 360 and w <= 480 and min(h, w) >= 180
        assert out['data_samples'].gt_sem_seg.data.shape == (1, h, w)


def test_ignore_mapping_exact(tmp_path):
    root = make_segnet_camvid(tmp_path, n_train=1, n_val=1, size=(24, 32))
    ds = DATASETS.build(
        dict(
            type='CamVidDataset',
            data_root=root,
            ann_file='train.txt',
            img_suffix='.jpg',
            pipeline=[dict(type='LoadAnnotations')]))
    seg = ds[0]['gt_seg_map']
    raw = fixture_label(24, 32, seed=0)
    expected = raw.copy()
    expected[raw == 11] = 255
    np.testing.assert_array_equal(seg, expected)


def test_bad_split_line(tmp_path):
    root = make_segnet_camvid(tmp_path, n_train=1, n_val=1)
    with open(osp.join(root, 'bad.txt'), 'w') as f:
        f.write('a b c\n')
    with pytest.raises(ValueError, match='per line'):
        DATASETS.build(
            dict(
                type='CamVidDataset',
                data_root=root,
                ann_file='bad.txt',
                pipeline=[]))


def test_full_resolution_converter_and_layout(tmp_path):
    src = tmp_path / 'CamVid'
    expected = make_original_camvid(src)
    # a SegNet split folder naming two of the three frames for train
    split_dir = tmp_path / 'segnet'
    split_dir.mkdir()
    (split_dir / 'train.txt').write_text(
        '/x/train/0001TP_006690.png /x/trainannot/0001TP_006690.png\n'
        '/x/train/0006R0_f00930.png /x/trainannot/0006R0_f00930.png\n')
    (split_dir / 'val.txt'
     ).write_text('/x/val/Seq05VD_f00000.png /x/valannot/Seq05VD_f00000.png\n')
    out = tmp_path / 'camvid_full'
    subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'dataset_converters', 'camvid.py'),
        str(src), '-o',
        str(out), '--split-dir',
        str(split_dir)
    ],
                   check=True)
    import cv2
    for name, idx in expected.items():
        got = cv2.imread(
            str(out / 'labels' / (name + '.png')), cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(got, idx)
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                 'camvid_720x960.py'))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = str(out)
    ds_cfg.pipeline = [dict(type='LoadAnnotations')]
    ds = DATASETS.build(ds_cfg)
    assert len(ds) == 2
    seg = ds[0]['gt_seg_map']
    exp = expected['0001TP_006690'].copy()
    exp[exp == 11] = 255
    np.testing.assert_array_equal(seg, exp)


def test_real_camvid(real_camvid):
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'camvid.py'))
    counts = {}
    for split, n_expected in (('train_dataloader', 367), ('val_dataloader',
                                                          101)):
        ds_cfg = cfg[split].dataset
        ds_cfg.data_root = real_camvid
        ds = DATASETS.build(ds_cfg)
        counts[split] = len(ds)
        assert len(ds) == n_expected
        assert ds.metainfo['classes'] == CLASSES
    # one val sample through the test pipeline: 360x480, labels in 0..10/255
    out = ds[0]
    assert out['inputs'].shape == (3, 360, 480)
    vals = np.unique(out['data_samples'].gt_sem_seg.data.numpy())
    assert set(vals.tolist()) <= set(range(11)) | {255}
    # the void label 11 exists in the raw files and is mapped away
    ds_raw = DATASETS.build(
        dict(
            type='CamVidDataset',
            data_root=real_camvid,
            ann_file='val.txt',
            img_suffix='.jpg',
            pipeline=[dict(type='LoadAnnotations')]))
    import mmcv
    raw_ids = set()
    for i in range(10):
        raw = mmcv.imread(
            ds_raw.get_data_info(i)['seg_map_path'], flag='unchanged')
        raw_ids |= set(np.unique(raw).tolist())
        seg = ds_raw[i]['gt_seg_map']
        assert 11 not in np.unique(seg)
        assert np.array_equal(seg == 255, raw == 11)
    assert 11 in raw_ids


def test_converter_default_segnet_split(tmp_path):
    """Without --split-dir: the SegNet split from the frame names, the
    standard split files the 720x960 config reads, and the count of pixels
    outside the palette (one per fixture image)."""
    src = tmp_path / 'CamVid'
    make_original_camvid(
        src,
        names=('0001TP_006690', '0001TP_008550', '0006R0_f00930',
               '0016E5_08000', 'Seq05VD_f00000'))
    out = tmp_path / 'camvid_full'
    proc = subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'dataset_converters', 'camvid.py'),
        str(src), '-o',
        str(out)
    ],
                          check=True,
                          capture_output=True,
                          text=True)
    assert '5 pixels had colours outside the 32-class palette' in proc.stdout
    assert 'train: 2 frames' in proc.stdout
    read = {
        s: (out / 'splits' / f'{s}.txt').read_text().split()
        for s in ('train', 'val', 'test', 'all')
    }
    assert read['train'] == ['0001TP_006690', '0006R0_f00930']
    assert read['val'] == ['0016E5_08000']
    assert read['test'] == ['0001TP_008550', 'Seq05VD_f00000']
    assert len(read['all']) == 5
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                 'camvid_720x960.py'))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds_cfg = cfg[loader].dataset
        ds_cfg.data_root = str(out)
        ds_cfg.pipeline = []
        assert len(DATASETS.build(ds_cfg)) in (1, 2)


def test_segnet_split_rule_matches_real_lists(real_camvid):
    """The rule reproduces the SegNet tutorial's own train/val lists (the
    outside reference, in ../shared/data/camvid)."""
    sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'dataset_converters'))
    from camvid import segnet_split
    for split, count in (('train', 367), ('val', 101)):
        with open(osp.join(real_camvid, f'{split}.txt')) as f:
            names = [
                osp.splitext(osp.basename(line.split()[0]))[0] for line in f
                if line.strip()
            ]
        assert len(names) == count
        assert {segnet_split(n) for n in names} == {split}
    with pytest.raises(ValueError, match='--split-dir'):
        segnet_split('frame_0001')


def test_half_resolution_tta_scales_follow_test_size(tmp_path):
    """camvid_180x240's TTA at ratio 1.0 gives the test pipeline's size (the
    reference), and the ratios span 0.5x-1.75x of it, not of the files."""
    from mmengine.dataset import Compose
    root = tmp_path / 'camvid'
    make_segnet_camvid(root, n_train=1, n_val=1, size=(360, 480))
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                 'camvid_180x240.py'))
    ds_cfg = cfg.val_dataloader.dataset
    ds_cfg.data_root = str(root)
    ds = DATASETS.build(ds_cfg)
    test_shape = tuple(ds[0]['inputs'].shape[1:])
    assert test_shape == (180, 240)
    info = ds.get_data_info(0)
    tta = Compose(cfg.tta_pipeline)(info)
    shapes = [tuple(x.shape[1:]) for x in tta['inputs']]
    assert shapes[4] == shapes[5] == test_shape  # ratio 1.0, both flips
    assert shapes[0] == (90, 120) and shapes[-1] == (315, 420)
