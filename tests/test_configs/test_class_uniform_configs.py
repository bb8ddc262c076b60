"""The class-uniform dataset bases: the authors' recipe, built on fake
Cityscapes and Mapillary v1.2 layouts."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from helpers import REPO_ROOT, pipeline_types
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.datasets import MapillaryDataset_v1
from mmseg.registry import DATASETS

import mmseg_gated  # noqa: F401

BASES = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets')
BOOST = [3, 4, 6, 7, 9, 11, 12, 13, 14, 15, 16, 17, 18]


@pytest.fixture(autouse=True)
def mmseg_scope():
    # pipelines name mmseg's and mmseg_gated's transforms, as in a run
    init_default_scope('mmseg')


def _base(name):
    return Config.fromfile(osp.join(BASES, name + '.py'))


def test_cityscapes_bases_follow_the_authors_recipe():
    for name in ('cityscapes_fine_coarse', 'cityscapes_fine_autocoarse',
                 'cityscapes_fine_hmsa'):
        cfg = _base(name)
        loader = cfg.train_dataloader
        assert loader.sampler.type == 'InfiniteSampler'
        assert loader.sampler.shuffle is False
        ds = loader.dataset
        assert ds.type == 'ClassUniformDataset'
        assert (ds.num_classes, ds.uniform_fraction, ds.tile_size) == (19, 0.5,
                                                                       1024)
        assert ds.random_datasets == [0] and ds.num_epochs == 176
        pipe = ds.datasets[0].pipeline
        assert pipeline_types(pipe) == [
            'LoadImageFromFile', 'LoadAnnotations', 'RandomResize',
            'CentroidCrop', 'RandomFlip', 'ColorJitter', 'PackSegInputs'
        ]
        assert pipe[2].ratio_range == (0.5, 2.0)
        assert pipe[3].crop_size == (1024, 2048)
        assert ds.datasets[0].data_prefix.seg_map_path == 'gtFine/train'
        if name == 'cityscapes_fine_hmsa':
            assert len(ds.datasets) == 1 and ds.disable == []
            continue
        assert ds.centroid_classes == [None, BOOST]
        # their switch-off at epoch 150 is a no-op in their code: kept off
        assert ds.disable == []
        suffix = ds.datasets[1].seg_map_suffix
        assert suffix == ('_gtAuto_labelTrainIds.png'
                          if 'auto' in name else '_gtCoarse_labelTrainIds.png')


def _write_pair(img_path, lbl_path, label, ext='.png'):
    os.makedirs(osp.dirname(img_path), exist_ok=True)
    os.makedirs(osp.dirname(lbl_path), exist_ok=True)
    img = np.dstack([label * 3, label * 5, label * 7]).astype(np.uint8)
    cv2.imwrite(img_path, img)
    cv2.imwrite(lbl_path, label.astype(np.uint8))


@pytest.mark.parametrize(
    'name', ['cityscapes_fine_coarse', 'cityscapes_fine_autocoarse'])
def test_cityscapes_base_builds_on_fake_layout(name, tmp_path):
    root = str(tmp_path)
    rng = np.random.default_rng(0)
    folders = dict(
        fine=('train', 'gtFine', '_gtFine_labelTrainIds.png'),
        coarse=('train_extra', 'gtCoarse', '_gtCoarse_labelTrainIds.png'),
        auto=('train_extra', 'autolabel', '_gtAuto_labelTrainIds.png'))
    for key, (split, ann, suffix) in folders.items():
        # 40 fine images: int(40 * 0.5 / 19) = 1 centroid per class
        for i in range(40 if key == 'fine' else 20):
            # coarse and auto labels share the train_extra images
            stem = f"city_{'fine' if key == 'fine' else 'extra'}_{i:06d}"
            label = rng.integers(0, 19, (64, 128))
            _write_pair(
                osp.join(root, 'leftImg8bit', split, 'city',
                         stem + '_leftImg8bit.png'),
                osp.join(root, ann, split, 'city', stem + suffix), label)
    ds_cfg = _base(name).train_dataloader.dataset
    for sub in ds_cfg.datasets:
        sub.data_root = root
    ds_cfg.update(
        tile_size=32,
        cache_dir=osp.join(root, 'cache'),
        progress=False,
        seed=0)
    ds = DATASETS.build(ds_cfg)
    assert ds.epoch_len == 40 and len(ds) == 40 * 176
    draws = [ds.sample_at(g) for g in range(40)]
    assert sum(d['centroid'] is not None for d in draws) == 19
    extra = [g for g, d in enumerate(draws) if d['dataset'] == 1]
    assert extra and all(draws[g]['centroid_class'] in BOOST for g in extra)
    plain = next(g for g, d in enumerate(draws) if d['centroid'] is None)
    np.random.seed(0)
    for g in (extra[0], plain):
        out = ds[g]
        # the full 1024x2048 frame; a down-scaled image padded with 255
        assert tuple(out['inputs'].shape) == (3, 1024, 2048)
        path = out['data_samples'].metainfo['img_path']
        assert ('train_extra' in path) == (g == extra[0])
        seg = out['data_samples'].gt_sem_seg.data
        assert seg.shape[-2:] == (1024, 2048)
        assert set(seg.unique().tolist()) <= set(range(19)) | {255}
    # the extra images stay to the end (their switch-off has no effect)
    for epoch in (149, 150, 175):
        assert any(
            ds.sample_at(g)['dataset'] == 1
            for g in range(epoch * 40, (epoch + 1) * 40))


def test_mapillary_base_ignores_unlabeled(tmp_path):
    cfg = _base('mapillary_v1_hmsa')
    classes = MapillaryDataset_v1.METAINFO['classes']
    assert tuple(cfg.metainfo.classes) == tuple(classes[:65])
    assert classes[65] == 'Unlabeled'
    ds_cfg = cfg.train_dataloader.dataset
    assert ds_cfg.num_classes == 65 and ds_cfg.num_epochs == 201
    pipe = ds_cfg.datasets[0].pipeline
    assert pipeline_types(pipe) == [
        'LoadImageFromFile', 'LoadAnnotations', 'RandomRescale',
        'CentroidCrop', 'RandomFlip', 'ColorJitter', 'RandomGaussianBlur',
        'PackSegInputs'
    ]
    # their training scales the original image (the pre-size is not applied)
    assert pipe[2].ratio_range == (0.5, 2.0)
    assert pipe[3].crop_size == (1024, 1024)
    test_pipe = cfg.val_dataloader.dataset.pipeline
    assert test_pipe[1] == dict(
        type='Resize', scale=(2177, 2177), keep_ratio=True)

    # fake v1.2 layout: training/images/*.jpg, training/v1.2/labels/*.png
    root = str(tmp_path)
    label = np.zeros((48, 64), np.uint8)
    label[:, :20] = 65  # Unlabeled
    label[:, 20:40] = 13  # Road
    label[:, 40:] = 64  # Ego Vehicle
    for split in ('training', 'validation'):
        _write_pair(
            osp.join(root, split, 'images', 'a.jpg'),
            osp.join(root, split, 'v1.2', 'labels', 'a.png'), label)
    sub = ds_cfg.datasets[0].copy()
    sub.update(data_root=root, pipeline=[dict(type='LoadAnnotations')])
    plain = DATASETS.build(sub)
    assert len(plain.metainfo['classes']) == 65
    seg = plain[0]['gt_seg_map']
    assert (seg[:, :20] == 255).all() and (seg[:, 20:40] == 13).all()
    assert (seg[:, 40:] == 64).all()
    val = cfg.val_dataloader.dataset.copy()
    val.update(data_root=root, pipeline=[dict(type='LoadAnnotations')])
    assert (DATASETS.build(val)[0]['gt_seg_map'][:, :20] == 255).all()

    for s in ds_cfg.datasets:
        s.data_root = root
    ds_cfg.update(
        tile_size=16,
        cache_dir=osp.join(root, 'cache'),
        progress=False,
        seed=0)
    ds = DATASETS.build(ds_cfg)
    np.random.seed(0)
    out = ds[0]
    assert tuple(out['inputs'].shape) == (3, 1024, 1024)
    assert 65 not in out['data_samples'].gt_sem_seg.data.unique().tolist()
