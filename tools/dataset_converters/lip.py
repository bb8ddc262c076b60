# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Convert the LIP (Look Into Person) single-person parsing release for mmseg.

Input: the official archives ``TrainVal_images.zip`` and
``TrainVal_parsing_annotations.zip`` extracted under one folder (any nesting):
    .../train_images/<id>.jpg     .../train_segmentations/<id>.png
    .../val_images/<id>.jpg       .../val_segmentations/<id>.png
    .../train_id.txt, .../val_id.txt   (optional; one id per line)
Labels are uint8 maps with 0 (Background) .. 19 (Right-shoe); anything else
becomes 255 (ignore).

Output (``configs/_base_/datasets/lip.py``, read by mmseg's LIPDataset):
    OUT/{train,val}_images/<id>.jpg
    OUT/{train,val}_segmentations/<id>.png
    OUT/{train,val}.txt           one id per line

    python tools/dataset_converters/lip.py /data/LIP -o data/LIP [--link]
"""
import argparse
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional

import cv2
import numpy as np

NUM_CLASSES = 20
IGNORE = 255
SPLITS = ('train', 'val')


def find_dir(root: str, name: str) -> Optional[str]:
    """First folder called ``name`` under ``root`` (breadth first)."""
    for dirpath, dirnames, _ in sorted(os.walk(root)):
        if name in dirnames:
            return osp.join(dirpath, name)
    return None


def find_file(root: str, name: str) -> Optional[str]:
    for dirpath, _, filenames in sorted(os.walk(root)):
        if name in filenames:
            return osp.join(dirpath, name)
    return None


def clean_label(label: np.ndarray) -> np.ndarray:
    """Keep 0..19 and 255; any other value becomes 255."""
    if label.ndim == 3:  # some tools save parsing maps as 3 equal channels
        label = label[..., 0]
    out = label.astype(np.uint8).copy()
    out[(label >= NUM_CLASSES) & (label != IGNORE)] = IGNORE
    return out


def split_ids(root: str, split: str, img_dir: str, ann_dir: str) -> List[str]:
    """Ids of a split: from ``<split>_id.txt`` when present, else every image
    that has a label map."""
    id_file = find_file(root, f'{split}_id.txt')
    if id_file is not None:
        with open(id_file) as f:
            return [line.strip() for line in f if line.strip()]
    imgs = {
        osp.splitext(n)[0]
        for n in os.listdir(img_dir) if n.endswith('.jpg')
    }
    anns = {
        osp.splitext(n)[0]
        for n in os.listdir(ann_dir) if n.endswith('.png')
    }
    return sorted(imgs & anns)


def convert(root: str, out_dir: str, link: bool = False) -> Dict[str, int]:
    """Convert every split found under ``root``; returns images per split."""
    if not osp.isdir(root):
        raise FileNotFoundError(f'LIP root {root!r} is not a folder')
    counts = {}
    for split in SPLITS:
        img_dir = find_dir(root, f'{split}_images')
        ann_dir = find_dir(root, f'{split}_segmentations')
        if img_dir is None or ann_dir is None:
            print(f'{split}: {split}_images/ or {split}_segmentations/ not '
                  f'found under {root}, skipped')
            continue
        out_img = osp.join(out_dir, f'{split}_images')
        out_ann = osp.join(out_dir, f'{split}_segmentations')
        os.makedirs(out_img, exist_ok=True)
        os.makedirs(out_ann, exist_ok=True)
        ids = []
        for name in split_ids(root, split, img_dir, ann_dir):
            src_img = osp.join(img_dir, name + '.jpg')
            src_ann = osp.join(ann_dir, name + '.png')
            if not (osp.isfile(src_img) and osp.isfile(src_ann)):
                print(f'{split}: {name} lacks its image or label, skipped')
                continue
            dst_img = osp.join(out_img, name + '.jpg')
            if link:
                if not osp.lexists(dst_img):
                    os.symlink(osp.abspath(src_img), dst_img)
            else:
                shutil.copyfile(src_img, dst_img)
            label = cv2.imread(src_ann, cv2.IMREAD_UNCHANGED)
            if label is None:
                raise ValueError(f'cannot read label map {src_ann}')
            cv2.imwrite(osp.join(out_ann, name + '.png'), clean_label(label))
            ids.append(name)
        with open(osp.join(out_dir, f'{split}.txt'), 'w') as f:
            f.write('\n'.join(ids) + ('\n' if ids else ''))
        counts[split] = len(ids)
        print(f'{split}: {len(ids)} images')
    if not counts:
        raise FileNotFoundError(
            f'no train_images/ or val_images/ folders found under {root}')
    return counts


def parse_args():
    parser = argparse.ArgumentParser(
        description='Convert LIP to the layout of configs/_base_/datasets/'
        'lip.py')
    parser.add_argument('root', help='folder with the extracted archives')
    parser.add_argument('-o', '--out-dir', default='data/LIP')
    parser.add_argument(
        '--link',
        action='store_true',
        help='symlink images instead of copying them')
    return parser.parse_args()


def main():
    args = parse_args()
    convert(args.root, args.out_dir, link=args.link)


if __name__ == '__main__':
    main()
