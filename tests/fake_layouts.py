"""Tiny fake datasets in each dataset's real folder layout.

:func:`write_fake_layouts` writes, under ``root``, the folders the shipped
configs read relative to their ``data_root`` (``data/cityscapes/``,
``data/mapillary/``, ...), with two or three images of a few dozen pixels
per split and label maps holding every valid value of the dataset plus
ignored pixels. The paths and suffixes follow the dataset classes and base
configs (mmseg 1.2's ``mmseg/datasets/*.py`` and
``configs/_base_/datasets/*.py``, and ours in ``configs/_base_/datasets``):

========================  ===================================================
``data/cityscapes/``      ``leftImg8bit/{train,val,test,train_extra}/<city>/
                          <city>_<seq>_<frame>_leftImg8bit.png``;
                          ``gtFine/{train,val}/<city>/*_gtFine_labelTrainIds
                          .png`` (0..18, 255) with the ``_gtFine_labelIds``
                          and ``_gtFine_instanceIds`` maps cityscapesscripts
                          reads; ``gtCoarse/train_extra/<city>/
                          *_gtCoarse_labelTrainIds.png``;
                          ``autolabel/train_extra/<city>/
                          *_gtAuto_labelTrainIds.png``
                          (cityscapes_fine_autocoarse.py). The test split has
                          images only, as the real download.
``data/mapillary/``       ``{training,validation}/images/*.jpg`` and
                          ``{training,validation}/v1.2/labels/*.png``
                          (0..65; 65 is "Unlabeled", a class of mmseg's
                          ``MapillaryDataset_v1``, not ignored)
``data/LIP/``             ``{train,val}_images/*.jpg``,
                          ``{train,val}_segmentations/*.png`` (0..19, 255),
                          ``{train,val}.txt`` with one basename per line
``data/VOCdevkit/         ``JPEGImages/*.jpg``, ``SegmentationClassContext/
VOC2010/``                *.png`` (0..59; 0 = background, removed by
                          ``reduce_zero_label``), ``ImageSets/
                          SegmentationContext/{train,val}.txt``
``data/ade/ADEChallenge   ``images/{training,validation}/*.jpg``,
Data2016/``               ``annotations/{training,validation}/*.png``
                          (0..150; 0 = other, removed by reduce_zero_label)
``data/coco_stuff10k/``   ``images/{train2014,test2014}/*.jpg``,
                          ``annotations/{train2014,test2014}/
                          *_labelTrainIds.png`` (0..171; 0 = unlabeled, as
                          mmseg's converter writes them)
``data/camvid/``          SegNet layout: ``{train,val}/*.jpg``,
                          ``{train,val}annot/*.png`` (0..11; 11 = void),
                          ``{train,val}.txt`` with "<image> <label>" lines
``data/camvid_full/``     ``tools/dataset_converters/camvid.py``'s layout:
                          ``images/*.png``, ``labels/*.png`` (0..11),
                          ``splits/{train,val,test}.txt`` (basenames)
``data/synthetic/``       written by ``SyntheticSegDataset`` itself (its
                          cache layout) on first use
========================  ===================================================
"""
import os
import os.path as osp

import cv2
import numpy as np

# Cityscapes trainId -> labelId (cityscapesscripts' labels table) and the
# trainIds of the classes with instances (person .. bicycle).
CITYSCAPES_TRAIN_TO_ID = (7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26,
                          27, 28, 31, 32, 33)
CITYSCAPES_INSTANCE_TRAIN_IDS = tuple(range(11, 19))

# (height, width) of the fake images: the real aspect ratio, a few dozen
# pixels.
SIZES = dict(
    cityscapes=(32, 64),
    mapillary=(36, 48),
    lip=(40, 36),
    pascal_context=(36, 48),
    ade=(36, 48),
    coco_stuff10k=(36, 48),
    camvid=(36, 48),
    camvid_full=(36, 48))


def fake_label(size, values, ignore=None, seed=0, block=4):
    """A label map in blocks of ``block`` px that uses every value of
    ``values`` (and ``ignore``, on about a tenth of the blocks)."""
    rng = np.random.default_rng(seed)
    h, w = size
    bh, bw = -(-h // block), -(-w // block)
    values = np.asarray(values)
    grid = np.resize(values, bh * bw)  # each value at least once
    grid = rng.permutation(grid)
    if ignore is not None:
        grid[rng.random(grid.shape) < 0.1] = ignore
    grid = grid.reshape(bh, bw)
    label = np.repeat(np.repeat(grid, block, 0), block, 1)[:h, :w]
    return np.ascontiguousarray(label).astype(np.uint8)


def _image(size, seed):
    rng = np.random.default_rng(1000 + seed)
    return rng.integers(0, 256, size + (3, ), dtype=np.uint8)


def _write(path, array):
    os.makedirs(osp.dirname(path), exist_ok=True)
    if not cv2.imwrite(path, array):
        raise OSError(f'could not write {path}')


def write_cityscapes(root):
    """``data/cityscapes`` with fine, coarse, auto-labelled and test parts."""
    base = osp.join(root, 'data', 'cityscapes')
    size = SIZES['cityscapes']
    frames = dict(
        train=[('aachen', '000000_000019'), ('bochum', '000001_000019')],
        val=[('frankfurt', '000000_000294'), ('lindau', '000000_000019')],
        test=[('berlin', '000000_000019'), ('bielefeld', '000000_000321')],
        train_extra=[('augsburg', '000000_000000'),
                     ('bad-honnef', '000001_000001')])
    seed = 0
    for split, names in frames.items():
        for city, frame in names:
            stem = f'{city}_{frame}'
            seed += 1
            _write(
                osp.join(base, 'leftImg8bit', split, city,
                         f'{stem}_leftImg8bit.png'), _image(size, seed))
            label = fake_label(size, range(19), 255, seed)
            if split in ('train', 'val'):
                gt = osp.join(base, 'gtFine', split, city, f'{stem}_gtFine_')
                _write(gt + 'labelTrainIds.png', label)
                ids = np.zeros_like(label)
                for train_id, label_id in enumerate(CITYSCAPES_TRAIN_TO_ID):
                    ids[label == train_id] = label_id
                _write(gt + 'labelIds.png', ids)
                inst = ids.astype(np.uint16)
                for k, train_id in enumerate(CITYSCAPES_INSTANCE_TRAIN_IDS):
                    mask = label == train_id
                    inst[mask] = CITYSCAPES_TRAIN_TO_ID[train_id] * 1000 + k
                _write(gt + 'instanceIds.png', inst)
            elif split == 'train_extra':
                _write(
                    osp.join(base, 'gtCoarse', split, city,
                             f'{stem}_gtCoarse_labelTrainIds.png'), label)
                _write(
                    osp.join(base, 'autolabel', split, city,
                             f'{stem}_gtAuto_labelTrainIds.png'),
                    fake_label(size, range(19), 255, seed + 50))


def write_mapillary(root):
    """``data/mapillary``: Mapillary Vistas v1.2 (labels 0..65)."""
    base = osp.join(root, 'data', 'mapillary')
    size = SIZES['mapillary']
    for k, split in enumerate(('training', 'validation')):
        for i in range(2):
            name = f'{split[:3]}{i:04d}'
            seed = 10 * k + i
            _write(
                osp.join(base, split, 'images', name + '.jpg'),
                _image(size, seed))
            _write(
                osp.join(base, split, 'v1.2', 'labels', name + '.png'),
                fake_label(size, range(66), None, seed, block=3))


def write_lip(root):
    """``data/LIP``: LIP as tools/dataset_converters/lip.py writes it."""
    base = osp.join(root, 'data', 'LIP')
    size = SIZES['lip']
    for k, split in enumerate(('train', 'val')):
        names = [f'{100 + 10 * k + i}_{i}' for i in range(2)]
        for i, name in enumerate(names):
            _write(
                osp.join(base, f'{split}_images', name + '.jpg'),
                _image(size, 20 + 10 * k + i))
            _write(
                osp.join(base, f'{split}_segmentations', name + '.png'),
                fake_label(size, range(20), 255, 20 + 10 * k + i))
        with open(osp.join(base, f'{split}.txt'), 'w') as f:
            f.write('\n'.join(names) + '\n')


def write_pascal_context(root):
    """``data/VOCdevkit/VOC2010``: Pascal Context (59 classes + 0)."""
    base = osp.join(root, 'data', 'VOCdevkit', 'VOC2010')
    size = SIZES['pascal_context']
    splits = dict(
        train=['2008_000002', '2008_000003'],
        val=['2008_000008', '2008_000009'])
    for k, (split, names) in enumerate(splits.items()):
        for i, name in enumerate(names):
            seed = 40 + 10 * k + i
            _write(
                osp.join(base, 'JPEGImages', name + '.jpg'),
                _image(size, seed))
            _write(
                osp.join(base, 'SegmentationClassContext', name + '.png'),
                fake_label(size, range(60), None, seed, block=3))
        txt = osp.join(base, 'ImageSets', 'SegmentationContext',
                       split + '.txt')
        os.makedirs(osp.dirname(txt), exist_ok=True)
        with open(txt, 'w') as f:
            f.write('\n'.join(names) + '\n')


def write_ade(root):
    """``data/ade/ADEChallengeData2016`` (labels 0..150)."""
    base = osp.join(root, 'data', 'ade', 'ADEChallengeData2016')
    size = SIZES['ade']
    splits = (('training', 'train'), ('validation', 'val'))
    for k, (split, tag) in enumerate(splits):
        for i in range(2):
            name = f'ADE_{tag}_{i + 1:08d}'
            seed = 60 + 10 * k + i
            _write(
                osp.join(base, 'images', split, name + '.jpg'),
                _image(size, seed))
            _write(
                osp.join(base, 'annotations', split, name + '.png'),
                fake_label(size, range(151), None, seed, block=2))


def write_coco_stuff10k(root):
    """``data/coco_stuff10k`` as mmseg's coco_stuff10k.py converter writes
    it (trainIds 0..171, 0 = unlabeled)."""
    base = osp.join(root, 'data', 'coco_stuff10k')
    size = SIZES['coco_stuff10k']
    for k, split in enumerate(('train2014', 'test2014')):
        for i in range(2):
            name = f'COCO_{split}_{i + 77:012d}'
            seed = 80 + 10 * k + i
            _write(
                osp.join(base, 'images', split, name + '.jpg'),
                _image(size, seed))
            _write(
                osp.join(base, 'annotations', split,
                         name + '_labelTrainIds.png'),
                fake_label(size, range(172), None, seed, block=2))


def write_camvid(root):
    """``data/camvid`` (SegNet layout) and ``data/camvid_full`` (our
    converter's layout); labels 0..10 and the void label 11."""
    size = SIZES['camvid']
    base = osp.join(root, 'data', 'camvid')
    for k, split in enumerate(('train', 'val')):
        lines = []
        for i in range(2):
            name = f'0001TP_{6690 + 30 * (i + 2 * k):06d}'
            seed = 100 + 10 * k + i
            img_rel = f'{split}/{name}.jpg'
            lbl_rel = f'{split}annot/{name}.png'
            _write(osp.join(base, img_rel), _image(size, seed))
            _write(
                osp.join(base, lbl_rel), fake_label(size, range(12), None,
                                                    seed))
            lines.append(f'{img_rel} {lbl_rel}')
        with open(osp.join(base, f'{split}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    base = osp.join(root, 'data', 'camvid_full')
    size = SIZES['camvid_full']
    for k, split in enumerate(('train', 'val', 'test')):
        names = [f'Seq05VD_f{30 * (i + 2 * k):05d}' for i in range(2)]
        for i, name in enumerate(names):
            seed = 130 + 10 * k + i
            _write(osp.join(base, 'images', name + '.png'), _image(size, seed))
            _write(
                osp.join(base, 'labels', name + '.png'),
                fake_label(size, range(12), None, seed))
        os.makedirs(osp.join(base, 'splits'), exist_ok=True)
        with open(osp.join(base, 'splits', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(names) + '\n')


WRITERS = dict(
    cityscapes=write_cityscapes,
    mapillary=write_mapillary,
    lip=write_lip,
    pascal_context=write_pascal_context,
    ade=write_ade,
    coco_stuff10k=write_coco_stuff10k,
    camvid=write_camvid)


def write_fake_layouts(root):
    """Write every fake dataset under ``root`` (``root/data/...``), so a
    config's relative ``data_root`` resolves against ``root``; returns
    ``root``. ``data/synthetic`` is left to SyntheticSegDataset."""
    root = str(root)
    for write in WRITERS.values():
        write(root)
    os.makedirs(osp.join(root, 'data', 'synthetic'), exist_ok=True)
    return root
