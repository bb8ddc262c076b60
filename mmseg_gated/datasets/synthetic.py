# Copyright (c) mmseg_gated contributors. All rights reserved.
import os
import os.path as osp
import tempfile
from typing import List, Sequence, Tuple

import cv2
import numpy as np
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS


@DATASETS.register_module()
class SyntheticSegDataset(BaseSegDataset):
    """Procedural street-like scenes generated from a seed, cached as files.

    Scene ``i`` is drawn from ``numpy.random.default_rng([seed, i])``, so a
    dataset is fully reproducible and two seeds share no scenes. A scene
    holds large regions (sky above a wavy horizon, ground, rectangular
    buildings) plus thin structures (vertical poles, slanted wires 1-2 px
    wide) and small objects (discs of radius 2-5 px), the cases gated fusion
    and boundary losses are meant to help. Pixels are a per-class colour,
    jittered per image, with Gaussian noise, so the task is learnable but not
    trivial.

    The scenes are written once, as ordinary PNG images (BGR) and label maps,
    into ``data_root/<seed, size, noise>/{img,ann}/NNNNNN.png`` (each file
    atomically, so several processes may build the same dataset); later
    builds reuse them. The dataset is then an ordinary
    :class:`~mmseg.datasets.BaseSegDataset`: use mmseg's
    ``LoadImageFromFile`` and ``LoadAnnotations`` in its pipelines, and
    ``--show-dir``, ``--tta``, ``init_model``/``inference_model`` and
    ``MMSegInferencer`` work on it as on any dataset.

    Args:
        num_samples (int): Number of scenes (the first ``num_samples`` of the
            seed's sequence). Default: 200.
        img_size (tuple[int, int]): (height, width) of each scene.
            Default: (128, 128).
        seed (int): Base seed; use different seeds for train and val.
            Default: 0.
        noise_std (float): Std of the additive pixel noise. Default: 12.
        data_root (str): Cache folder for the generated files.
            Default: 'data/synthetic'.
        pipeline (list[dict]): Transforms applied to each sample.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`
            (``test_mode``, ``ignore_index``, ``serialize_data`` ...).
    """
    METAINFO = dict(
        classes=('sky', 'ground', 'building', 'pole', 'wire', 'object'),
        palette=[[70, 130, 180], [128, 64, 128], [70, 70, 70], [153, 153, 153],
                 [250, 170, 30], [220, 20, 60]])

    # Mean colour per class (RGB); jittered per image.
    _BASE_COLOURS = np.array([[135, 170, 210], [110, 100, 105], [150, 120, 95],
                              [60, 60, 70], [230, 200, 40], [200, 40, 50]],
                             dtype=np.float32)
    # Bump when generate() changes, so old caches are not reused.
    _VERSION = 1

    def __init__(self,
                 num_samples: int = 200,
                 img_size: Tuple[int, int] = (128, 128),
                 seed: int = 0,
                 noise_std: float = 12.,
                 data_root: str = 'data/synthetic',
                 pipeline: Sequence[dict] = (),
                 **kwargs) -> None:
        if num_samples <= 0:
            raise ValueError(
                f'num_samples must be positive, got {num_samples}')
        if len(img_size) != 2 or min(img_size) < 16:
            raise ValueError(
                'img_size must be (height, width) with both >= 16, got '
                f'{img_size}')
        for key in ('data_prefix', 'img_suffix', 'seg_map_suffix'):
            if key in kwargs:
                raise ValueError(
                    f'{key} is set by SyntheticSegDataset; choose the cache '
                    'folder with data_root')
        self.num_samples = int(num_samples)
        self.img_size = (int(img_size[0]), int(img_size[1]))
        self.seed = int(seed)
        self.noise_std = float(noise_std)
        h, w = self.img_size
        self.scene_dir = (f'v{self._VERSION}_seed{self.seed}_{h}x{w}_'
                          f'noise{self.noise_std:g}')
        super().__init__(
            data_root=data_root,
            data_prefix=dict(
                img_path=osp.join(self.scene_dir, 'img'),
                seg_map_path=osp.join(self.scene_dir, 'ann')),
            img_suffix='.png',
            seg_map_suffix='.png',
            pipeline=list(pipeline),
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Write the scenes that are not cached yet, then list the first
        ``num_samples``."""
        img_dir = self.data_prefix['img_path']
        ann_dir = self.data_prefix['seg_map_path']
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(ann_dir, exist_ok=True)
        data_list = []
        for i in range(self.num_samples):
            img_path = osp.join(img_dir, f'{i:06d}.png')
            seg_path = osp.join(ann_dir, f'{i:06d}.png')
            if not (osp.isfile(img_path) and osp.isfile(seg_path)):
                img, seg = self.generate(i)
                _write_png(seg_path, seg)
                _write_png(img_path, img)
            data_list.append(
                dict(
                    img_path=img_path,
                    seg_map_path=seg_path,
                    label_map=self.label_map,
                    reduce_zero_label=self.reduce_zero_label,
                    seg_fields=[]))
        return data_list

    def generate(self, index: int) -> Tuple[np.ndarray, np.ndarray]:
        """Draw scene ``index``: returns (BGR uint8 image, uint8 label map)."""
        rng = np.random.default_rng([self.seed, index])
        h, w = self.img_size
        seg = np.zeros((h, w), np.uint8)  # sky

        # Ground below a wavy horizon.
        xs = np.arange(w)
        horizon = (
            h * rng.uniform(0.35, 0.6) + h * rng.uniform(0.02, 0.08) *
            np.sin(xs * rng.uniform(0.02, 0.08) + rng.uniform(0, 6.3)))
        seg[np.arange(h)[:, None] >= horizon[None, :]] = 1

        # Buildings straddling the horizon.
        for _ in range(rng.integers(1, 4)):
            bw = int(w * rng.uniform(0.12, 0.3))
            x0 = int(rng.integers(0, w - bw))
            top = int(h * rng.uniform(0.1, 0.35))
            bottom = int(h * rng.uniform(0.55, 0.75))
            seg[top:bottom, x0:x0 + bw] = 2

        # Thin vertical poles.
        for _ in range(rng.integers(1, 4)):
            pw = int(rng.integers(1, 4))
            x0 = int(rng.integers(0, w - pw))
            top = int(h * rng.uniform(0.05, 0.4))
            bottom = int(h * rng.uniform(0.6, 0.95))
            seg[top:bottom, x0:x0 + pw] = 3

        # Slanted wires, 1-2 px.
        for _ in range(rng.integers(1, 3)):
            p0 = (0, int(rng.integers(0, h // 2)))
            p1 = (w - 1, int(rng.integers(0, h // 2)))
            cv2.line(seg, p0, p1, 4, thickness=int(rng.integers(1, 3)))

        # Small discs.
        for _ in range(rng.integers(2, 6)):
            centre = (int(rng.integers(4, w - 4)), int(rng.integers(4, h - 4)))
            cv2.circle(seg, centre, int(rng.integers(2, 6)), 5, thickness=-1)

        colours = self._BASE_COLOURS + rng.uniform(
            -20, 20, size=self._BASE_COLOURS.shape).astype(np.float32)
        img = colours[seg]
        # Smooth illumination gradient plus pixel noise.
        img *= np.linspace(
            rng.uniform(0.8, 1.0), rng.uniform(1.0, 1.2), w,
            dtype=np.float32)[None, :, None]
        img += rng.normal(0, self.noise_std, size=img.shape).astype(np.float32)
        img = np.clip(img, 0, 255).astype(np.uint8)[..., ::-1]  # RGB -> BGR
        return np.ascontiguousarray(img), seg


def _write_png(path: str, array: np.ndarray) -> None:
    """Write a PNG atomically (temporary file in the folder, then rename)."""
    folder = osp.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix='.png')
    os.close(fd)
    try:
        if not cv2.imwrite(tmp, array):
            raise OSError(f'could not write {path}')
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
