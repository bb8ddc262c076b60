"""LIP: converter on a tiny generated fixture, dataset + base config, flips
that swap left/right labels; Cityscapes iIoU metric without its package."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from helpers import REPO_ROOT, load_module
from mmengine.config import Config
from mmseg.registry import DATASETS, METRICS, TRANSFORMS

import mmseg_gated  # noqa: F401
from mmseg_gated.datasets import LIPDataset
from mmseg_gated.datasets.lip import LIP_FLIP_PAIRS

lip_conv = load_module('lip_converter', 'tools/dataset_converters/lip.py')


def make_lip_release(root, n_train=3, n_val=2, size=(24, 20)):
    """The official archives' layout (nested like the zips extract)."""
    rng = np.random.default_rng(0)
    ids = {}
    for split, n in (('train', n_train), ('val', n_val)):
        img_dir = osp.join(root, 'TrainVal_images', f'{split}_images')
        ann_dir = osp.join(root, 'TrainVal_parsing_annotations',
                           'TrainVal_parsing_annotations',
                           f'{split}_segmentations')
        os.makedirs(img_dir)
        os.makedirs(ann_dir)
        ids[split] = [f'{k:04d}_{split}' for k in range(n)]
        for name in ids[split]:
            cv2.imwrite(
                osp.join(img_dir, name + '.jpg'),
                rng.integers(0, 255, (*size, 3), dtype=np.uint8))
            lab = rng.integers(0, 20, size, dtype=np.uint8)
            lab[0, 0] = 25  # out of range -> ignore
            lab[0, 1] = 255
            cv2.imwrite(osp.join(ann_dir, name + '.png'), lab)
    # an image without a label, not listed in train_id.txt
    cv2.imwrite(
        osp.join(root, 'TrainVal_images', 'train_images', 'x.jpg'),
        np.zeros((*size, 3), np.uint8))
    with open(osp.join(root, 'TrainVal_images', 'train_id.txt'), 'w') as f:
        f.write('\n'.join(ids['train']) + '\n')
    return ids


def test_converter_and_dataset(tmp_path):
    ids = make_lip_release(str(tmp_path / 'LIP_raw'))
    out = str(tmp_path / 'LIP')
    counts = lip_conv.convert(str(tmp_path / 'LIP_raw'), out)
    assert counts == dict(train=3, val=2)
    with open(osp.join(out, 'val.txt')) as f:
        assert f.read().split() == ids['val']  # no id file: from the folders
    lab = cv2.imread(
        osp.join(out, 'train_segmentations', '0000_train.png'),
        cv2.IMREAD_UNCHANGED)
    assert lab[0, 0] == 255 and lab[0, 1] == 255 and lab.max() == 255
    assert lab[lab != 255].max() <= 19

    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'lip.py'))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = out
    ds_cfg.pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations')
    ]
    ds = DATASETS.build(ds_cfg)
    assert isinstance(ds, LIPDataset) and len(ds) == 3
    assert len(ds.metainfo['classes']) == 20
    sample = ds[0]
    assert sample['gt_seg_map'].shape == (24, 20)
    np.testing.assert_array_equal(sample['gt_seg_map'], lab)
    assert cfg.crop_size == (473, 473)


def test_flip_swaps_left_right_labels():
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'lip.py'))
    flip = [t for t in cfg.train_pipeline if t['type'] == 'RandomFlip'][0]
    assert [tuple(p) for p in flip['swap_seg_labels']] == list(LIP_FLIP_PAIRS)
    t = TRANSFORMS.build(dict(flip, prob=1.0))
    seg = np.zeros((2, 4), np.uint8)
    seg[0, 0] = 14  # left arm on the left
    seg[1, 3] = 19  # right shoe on the right
    seg[1, 0] = 5  # upper clothes: no partner
    out = t(
        dict(
            img=np.zeros((2, 4, 3), np.uint8),
            gt_seg_map=seg.copy(),
            seg_fields=['gt_seg_map']))
    res = out['gt_seg_map']
    assert res[0, 3] == 15 and res[1, 0] == 18 and res[1, 3] == 5


def test_cityscapes_iiou_message_without_package(monkeypatch):
    from mmseg_gated.evaluation.metrics import cityscapes_iiou as mod
    monkeypatch.setattr(mod, '_cityscapes_eval', lambda: None)
    with pytest.raises(ImportError, match='pip install cityscapesscripts'):
        METRICS.build(dict(type='CityscapesIIoUMetric', strict=True))
    metric = METRICS.build(dict(type='CityscapesIIoUMetric'))
    assert not metric.available
    metric.process({}, [dict(pred_sem_seg=dict(data=np.zeros((1, 2, 2))))])
    assert metric.evaluate(1) == {}
    with pytest.raises(ValueError, match='keep_results'):
        METRICS.build(dict(type='CityscapesIIoUMetric', format_only=True))


def test_flip_pairs_match_mmseg_lip_classes():
    """LIP_FLIP_PAIRS index mmseg's own LIPDataset class list (the outside
    reference): each pair is a Left-/Right- pair of the same part."""
    from mmseg.datasets import LIPDataset as MMSegLIP

    from mmseg_gated.datasets.lip import LIP_FLIP_PAIRS
    classes = MMSegLIP.METAINFO['classes']
    assert len(classes) == 20
    for left, right in LIP_FLIP_PAIRS:
        assert classes[left].startswith('Left-')
        assert classes[right] == 'Right-' + classes[left][len('Left-'):]
