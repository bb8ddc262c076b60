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
``CamVidDataset`` maps to 255. Colours outside the 32-class palette also
become void; the converter reports how many pixels had them.

Splits: by default the SegNet benchmark split (367 train / 101 val / 233
test), which follows the sequences: all of 0006R0 and the 0001TP frames up to
008520 train, 0016E5 frames 07959-08159 validate and the rest of 0016E5
trains, the later 0001TP frames and Seq05VD test (``segnet_split``; on
SegNet's own train.txt/val.txt it gives their lists exactly). With
``--split-dir`` naming a folder with other train.txt/val.txt/test.txt files,
their basenames are used instead; ``splits/all.txt`` lists every frame.

    python tools/dataset_converters/camvid.py /data/CamVid \
        -o data/camvid_full --split-dir /data/SegNet/CamVid
"""
import argparse
import os
import os.path as osp
import re

import cv2
import numpy as np
from mmengine.utils import track_parallel_progress, track_progress

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
UNKNOWN = 255  # in the lookup table only: a colour outside the palette


def colour_lut() -> np.ndarray:
    """A 2^24 lookup table from packed RGB to the 11-class index; colours
    outside the 32-class palette map to ``UNKNOWN``."""
    lut = np.full(1 << 24, UNKNOWN, dtype=np.uint8)
    for (r, g, b), idx in CLASS_COLOURS.values():
        lut[(r << 16) | (g << 8) | b] = idx
    return lut


def rgb_to_index(label_rgb: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Map an HxWx3 RGB label image to HxW class indices (unknown -> void)."""
    index, _ = rgb_to_index_counted(label_rgb, lut)
    return index


def rgb_to_index_counted(label_rgb: np.ndarray, lut: np.ndarray):
    """Like :func:`rgb_to_index`; also returns the number of pixels whose
    colour is outside the palette."""
    rgb = label_rgb.astype(np.uint32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    index = lut[packed]
    unknown = index == UNKNOWN
    index[unknown] = VOID
    return index, int(unknown.sum())


_FRAME = re.compile(r'^(0001TP|0006R0|0016E5|Seq05VD)_f?(\d+)$')


def segnet_split(name: str) -> str:
    """The SegNet benchmark split ('train', 'val' or 'test') of a CamVid
    frame, from its sequence and frame number."""
    match = _FRAME.match(name)
    if match is None:
        raise ValueError(
            f'{name!r} is not a CamVid frame name (<sequence>_<frame>, '
            'sequence 0001TP, 0006R0, 0016E5 or Seq05VD); pass --split-dir')
    seq, frame = match.group(1), int(match.group(2))
    if seq == 'Seq05VD':
        return 'test'
    if seq == '0001TP':
        return 'train' if frame <= 8520 else 'test'
    if seq == '0016E5' and 7959 <= frame <= 8159:
        return 'val'
    return 'train'


def _convert_one(args):
    name, src_root, out_dir, scale = args
    lut = colour_lut()
    img = cv2.imread(osp.join(src_root, '701_StillsRaw_full', name + '.png'))
    lbl_bgr = cv2.imread(
        osp.join(src_root, 'LabeledApproved_full', name + '_L.png'))
    if img is None or lbl_bgr is None:
        raise FileNotFoundError(f'frame or label of {name} missing in '
                                f'{src_root}')
    label, unknown = rgb_to_index_counted(lbl_bgr[..., ::-1], lut)
    if scale != 1:
        h, w = label.shape
        size = (int(round(w * scale)), int(round(h * scale)))
        img = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
        label = cv2.resize(label, size, interpolation=cv2.INTER_NEAREST)
    cv2.imwrite(osp.join(out_dir, 'images', name + '.png'), img)
    cv2.imwrite(osp.join(out_dir, 'labels', name + '.png'), label)
    return unknown


def read_segnet_split(path: str):
    names = []
    with open(path) as f:
        for line in f:
            if line.strip():
                names.append(osp.splitext(osp.basename(line.split()[0]))[0])
    return names


def convert(src_root, out_dir, split_dir=None, scale=1.0, nproc=1):
    """Convert the dataset.

    Returns:
        tuple: ({split: [names]}, number of pixels whose colour was outside
        the 32-class palette).
    """
    frames_dir = osp.join(src_root, '701_StillsRaw_full')
    if not osp.isdir(frames_dir):
        raise FileNotFoundError(
            f'{frames_dir} not found: expected the original CamVid layout '
            '(701_StillsRaw_full/, LabeledApproved_full/)')
    names = sorted(
        osp.splitext(f)[0] for f in os.listdir(frames_dir)
        if f.endswith('.png'))
    if not names:
        raise FileNotFoundError(f'no .png frames in {frames_dir}')
    splits = {'train': [], 'val': [], 'test': []}
    if split_dir:
        available = set(names)
        for split in splits:
            path = osp.join(split_dir, split + '.txt')
            if osp.isfile(path):
                splits[split] = [
                    n for n in read_segnet_split(path) if n in available
                ]
    else:
        for name in names:  # check every name before converting anything
            splits[segnet_split(name)].append(name)
    splits['all'] = names
    for sub in ('images', 'labels', 'splits'):
        os.makedirs(osp.join(out_dir, sub), exist_ok=True)
    tasks = [(n, src_root, out_dir, scale) for n in names]
    if nproc > 1:
        unknown = track_parallel_progress(_convert_one, tasks, nproc)
    else:
        unknown = track_progress(_convert_one, tasks)
    for split, split_names in splits.items():
        if split_names:
            with open(osp.join(out_dir, 'splits', split + '.txt'), 'w') as f:
                f.write('\n'.join(split_names) + '\n')
    return {k: v for k, v in splits.items() if v}, int(sum(unknown))


def parse_args():
    parser = argparse.ArgumentParser(
        description='Convert full-resolution CamVid to mmseg format',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('camvid_path', help='original CamVid folder')
    parser.add_argument(
        '-o', '--out-dir', default='data/camvid_full', help='output folder')
    parser.add_argument(
        '--split-dir',
        help='folder with train.txt/val.txt/test.txt (SegNet format) whose '
        'basenames replace the built-in SegNet split')
    parser.add_argument(
        '--scale',
        type=float,
        default=1.0,
        help='resize factor (0.5 gives 360x480)')
    parser.add_argument(
        '--nproc', type=int, default=1, help='worker processes')
    return parser.parse_args()


def main():
    args = parse_args()
    splits, unknown = convert(args.camvid_path, args.out_dir, args.split_dir,
                              args.scale, args.nproc)
    for split, names in splits.items():
        print(f'{split}: {len(names)} frames')
    print(f'{unknown} pixels had colours outside the 32-class palette '
          '(written as void, 11)')


if __name__ == '__main__':
    main()
