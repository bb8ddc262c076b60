# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Convert full-resolution CamVid (720x960) to index label maps for mmseg.

Input: the original release,
    CAMVID/701_StillsRaw_full/<name>.png        RGB frames
    CAMVID/LabeledApproved_full/<name>_L.png    colour-coded labels, 32 classes
Output (``configs/_base_/datasets/camvid_720x960.py``):
    OUT/images/<name>.png, OUT/labels/<name>.png (uint8, 0..10, 11 = void)
    OUT/splits/{train,val,test}.txt             one basename per line

The 32 classes are merged into the 11 of the SegNet benchmark (Brostow et
al. 2009 / Badrinarayanan et al.), everything else is void (11), which
``CamVidDataset`` maps to 255. Splits follow the SegNet split files when
``--split-dir`` names a folder with SegNet's train.txt/val.txt/test.txt
(their basenames are matched), otherwise every frame goes to ``all.txt``.

    python tools/dataset_converters/camvid.py /data/CamVid -o data/camvid_full \
        --split-dir /data/SegNet/CamVid
"""
import argparse
import os
import os.path as osp
from multiprocessing import Pool

import cv2
import numpy as np

# colour (RGB) of each of the 32 original classes -> 11-class index.
CLASS_COLOURS = {
    'Sky': ((128, 128, 128), 0),
    'Building': ((128, 0, 0), 1),
    'Wall': ((64, 192, 0), 1),
    'Tunnel': ((64, 0, 64), 1),
    'Archway': ((192, 0, 128), 1),
    'Bridge': ((0, 128, 64), 1),
    'Column_Pole': ((192, 192, 128), 2),
    'TrafficCone': ((0, 0, 64), 2),
    'Road': ((128, 64, 128), 3),
    'LaneMkgsDriv': ((128, 0, 192), 3),
    'LaneMkgsNonDriv': ((192, 0, 64), 3),
    'Sidewalk': ((0, 0, 192), 4),
    'ParkingBlock': ((64, 192, 128), 4),
    'RoadShoulder': ((128, 128, 192), 4),
    'Tree': ((128, 128, 0), 5),
    'VegetationMisc': ((192, 192, 0), 5),
    'SignSymbol': ((192, 128, 128), 6),
    'Misc_Text': ((128, 128, 64), 6),
    'TrafficLight': ((0, 64, 64), 6),
    'Fence': ((64, 64, 128), 7),
    'Car': ((64, 0, 128), 8),
    'SUVPickupTruck': ((64, 128, 192), 8),
    'Truck_Bus': ((192, 128, 192), 8),
    'Train': ((192, 64, 128), 8),
    'OtherMoving': ((128, 64, 64), 8),
    'Pedestrian': ((64, 64, 0), 9),
    'Child': ((192, 128, 64), 9),
    'CartLuggagePram': ((64, 0, 192), 9),
    'Animal': ((64, 128, 64), 9),
    'Bicyclist': ((0, 128, 192), 10),
    'MotorcycleScooter': ((192, 0, 192), 10),
    'Void': ((0, 0, 0), 11),
}
VOID = 11


def colour_lut() -> np.ndarray:
    """A 2^24 lookup table from packed RGB to the 11-class index."""
    lut = np.full(1 << 24, VOID, dtype=np.uint8)
    for (r, g, b), idx in CLASS_COLOURS.values():
        lut[(r << 16) | (g << 8) | b] = idx
    return lut


def rgb_to_index(label_rgb: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Map an HxWx3 RGB label image to HxW class indices (unknown -> void)."""
    rgb = label_rgb.astype(np.uint32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    return lut[packed]


def _convert_one(args):
    name, src_root, out_dir, scale = args
    lut = colour_lut()
    img = cv2.imread(osp.join(src_root, '701_StillsRaw_full', name + '.png'))
    lbl_bgr = cv2.imread(
        osp.join(src_root, 'LabeledApproved_full', name + '_L.png'))
    if img is None or lbl_bgr is None:
        raise FileNotFoundError(f'frame or label of {name} missing in '
                                f'{src_root}')
    label = rgb_to_index(lbl_bgr[..., ::-1], lut)
    if scale != 1:
        h, w = label.shape
        size = (int(round(w * scale)), int(round(h * scale)))
        img = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
        label = cv2.resize(label, size, interpolation=cv2.INTER_NEAREST)
    cv2.imwrite(osp.join(out_dir, 'images', name + '.png'), img)
    cv2.imwrite(osp.join(out_dir, 'labels', name + '.png'), label)
    return name


def read_segnet_split(path: str):
    names = []
    with open(path) as f:
        for line in f:
            if line.strip():
                names.append(
                    osp.splitext(osp.basename(line.split()[0]))[0])
    return names


def convert(src_root, out_dir, split_dir=None, scale=1.0, nproc=1):
    """Convert the dataset; returns {split: [names]}."""
    frames_dir = osp.join(src_root, '701_StillsRaw_full')
    if not osp.isdir(frames_dir):
        raise FileNotFoundError(
            f'{frames_dir} not found: expected the original CamVid layout '
            '(701_StillsRaw_full/, LabeledApproved_full/)')
    names = sorted(
        osp.splitext(f)[0] for f in os.listdir(frames_dir)
        if f.endswith('.png'))
    for sub in ('images', 'labels', 'splits'):
        os.makedirs(osp.join(out_dir, sub), exist_ok=True)
    tasks = [(n, src_root, out_dir, scale) for n in names]
    if nproc > 1:
        with Pool(nproc) as pool:
            pool.map(_convert_one, tasks)
    else:
        for t in tasks:
            _convert_one(t)
    splits = {}
    if split_dir:
        available = set(names)
        for split in ('train', 'val', 'test'):
            path = osp.join(split_dir, split + '.txt')
            if osp.isfile(path):
                splits[split] = [
                    n for n in read_segnet_split(path) if n in available
                ]
    else:
        splits['all'] = names
    for split, split_names in splits.items():
        with open(osp.join(out_dir, 'splits', split + '.txt'), 'w') as f:
            f.write('\n'.join(split_names) + '\n')
    return splits


def parse_args():
    parser = argparse.ArgumentParser(
        description='Convert full-resolution CamVid to mmseg format')
    parser.add_argument('camvid_path', help='original CamVid folder')
    parser.add_argument('-o', '--out-dir', default='data/camvid_full')
    parser.add_argument(
        '--split-dir',
        help='folder with SegNet train.txt/val.txt/test.txt to copy the '
        'split from')
    parser.add_argument('--scale', type=float, default=1.0,
                        help='resize factor (0.5 gives 360x480)')
    parser.add_argument('--nproc', type=int, default=1)
    return parser.parse_args()


def main():
    args = parse_args()
    splits = convert(args.camvid_path, args.out_dir, args.split_dir,
                     args.scale, args.nproc)
    for split, names in splits.items():
        print(f'{split}: {len(names)} frames')


if __name__ == '__main__':
    main()
