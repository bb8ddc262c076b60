"""A small on-disk segmentation dataset with one instance of each problem
``tools/check_dataset.py`` reports (imported as ``bad_dataset``)."""
import os

import cv2
import numpy as np

CLASSES = ('a', 'b', 'c')
SIZE = (64, 64)  # h, w


def _label(rng, size=SIZE):
    label = rng.integers(0, len(CLASSES), size).astype(np.uint8)
    label[:2] = 255  # two ignored rows
    return label


def make_bad_dataset(root,
                     good=2,
                     problems=('truncated', 'undecodable', 'nolabel',
                               'mismatch', 'badvalue')):
    """Write ``root/img/*.jpg`` and ``root/ann/*.png``.

    Samples: ``good0..`` are whole; ``truncated`` is a JPEG cut in half;
    ``undecodable`` is text named ``.jpg``; ``nolabel`` has no label file;
    ``mismatch`` has a 64x48 label; ``badvalue`` has labels 7 (5 px) and
    9 (2 px).

    Returns:
        dict: ``hist`` (the pixel counts by value over every label file
        written) and the problem files by name.
    """
    rng = np.random.default_rng(0)
    img_dir, ann_dir = os.path.join(root, 'img'), os.path.join(root, 'ann')
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(ann_dir, exist_ok=True)
    hist = np.zeros(256, np.int64)
    files = {}
    names = [f'good{i}' for i in range(good)] + list(problems)
    for name in names:
        img = rng.integers(0, 255, SIZE + (3, ), dtype=np.uint8)
        img_path = os.path.join(img_dir, f'{name}.jpg')
        ann_path = os.path.join(ann_dir, f'{name}.png')
        jpeg = cv2.imencode('.jpg', img)[1].tobytes()
        label = _label(rng)
        if name == 'truncated':
            jpeg = jpeg[:len(jpeg) // 2]
            files[name] = img_path
        elif name == 'undecodable':
            jpeg = b'this is not an image'
            files[name] = img_path
        elif name == 'mismatch':
            label = _label(rng, (64, 48))
            files[name] = ann_path
        elif name == 'badvalue':
            label.ravel()[100:105] = 7
            label.ravel()[200:202] = 9
            files[name] = ann_path
        with open(img_path, 'wb') as f:
            f.write(jpeg)
        if name == 'nolabel':
            files[name] = ann_path
            continue
        cv2.imwrite(ann_path, label)
        hist += np.bincount(label.ravel(), minlength=256)
    return dict(hist=hist, files=files)


def dataset_cfg(root, **kwargs):
    cfg = dict(
        type='BaseSegDataset',
        data_root=str(root),
        data_prefix=dict(img_path='img', seg_map_path='ann'),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        metainfo=dict(classes=CLASSES, palette=[[0, 0, 0]] * 3),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations'),
            dict(type='PackSegInputs')
        ])
    cfg.update(kwargs)
    return cfg
