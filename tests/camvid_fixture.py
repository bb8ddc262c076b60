"""Tiny generated CamVid folders in both layouts, for tests that must run
without the real data."""
import os
import os.path as osp

import cv2
import numpy as np


def _write_pair(root, img_rel, lbl_rel, label, rng):
    h, w = label.shape
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    os.makedirs(osp.dirname(osp.join(root, img_rel)), exist_ok=True)
    os.makedirs(osp.dirname(osp.join(root, lbl_rel)), exist_ok=True)
    cv2.imwrite(osp.join(root, img_rel), img)
    cv2.imwrite(osp.join(root, lbl_rel), label)


def fixture_label(h=24, w=32, seed=0):
    """A label map using classes 0..10 and the void label 11."""
    rng = np.random.default_rng(seed)
    label = np.repeat(np.arange(12, dtype=np.uint8), (h * w) // 12 + 1)[:h * w]
    return rng.permutation(label).reshape(h, w)


def make_segnet_camvid(root, n_train=3, n_val=2, size=(24, 32)):
    """SegNet layout: train/ trainannot/ val/ valannot/ train.txt val.txt."""
    root = str(root)
    rng = np.random.default_rng(0)
    for split, n in (('train', n_train), ('val', n_val)):
        lines = []
        for i in range(n):
            name = f'{split}_{i:04d}'
            img_rel = f'{split}/{name}.jpg'
            lbl_rel = f'{split}annot/{name}.png'
            _write_pair(root, img_rel, lbl_rel, fixture_label(*size, seed=i),
                        rng)
            lines.append(f'{img_rel} {lbl_rel}')
        with open(osp.join(root, f'{split}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    return root


def make_original_camvid(root,
                         names=('0001TP_006690', '0006R0_f00930',
                                'Seq05VD_f00000'),
                         size=(24, 32)):
    """The original full-resolution layout with colour-coded labels.

    Returns the expected index maps per name (what the converter must give).
    """
    import sys

    from helpers import REPO_ROOT
    sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'dataset_converters'))
    from camvid import CLASS_COLOURS  # the converter's table
    root = str(root)
    rng = np.random.default_rng(1)
    os.makedirs(osp.join(root, '701_StillsRaw_full'), exist_ok=True)
    os.makedirs(osp.join(root, 'LabeledApproved_full'), exist_ok=True)
    colours = [c for c, _ in CLASS_COLOURS.values()]
    indices = [i for _, i in CLASS_COLOURS.values()]
    expected = {}
    h, w = size
    for name in names:
        pick = rng.integers(0, len(colours), (h, w))
        rgb = np.array(colours, np.uint8)[pick]
        idx = np.array(indices, np.uint8)[pick]
        rgb[0, 0] = (1, 2, 3)  # a colour not in the table -> void
        idx[0, 0] = 11
        cv2.imwrite(
            osp.join(root, 'LabeledApproved_full', name + '_L.png'),
            rgb[..., ::-1])
        cv2.imwrite(
            osp.join(root, '701_StillsRaw_full', name + '.png'),
            rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
        expected[name] = idx
    return expected
