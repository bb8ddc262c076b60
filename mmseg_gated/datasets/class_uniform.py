# Copyright (c) mmseg_gated contributors. All rights reserved.
import hashlib
import json
import os
import os.path as osp
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.dist import (broadcast_object_list, get_dist_info,
                           sync_random_seed)
from mmengine.logging import print_log
from mmengine.utils import ProgressBar
from mmseg.registry import DATASETS, TRANSFORMS
from torch.utils.data import Dataset

_CACHE_VERSION = 1


def tile_centroids(label: np.ndarray, num_classes: int,
                   tile_size: Optional[int]) -> np.ndarray:
    """Class centroids of one label map, one per class and tile.

    The authors' definition (NVIDIA/semantic-segmentation
    ``datasets/uniform.py``, ``class_centroids_image``): the map is cut into
    ``(H // tile) x (W // tile)`` whole tiles (a remainder at the right and
    bottom, and a map smaller than a tile, give no tiles); for every class
    ``0..num_classes-1`` present in a tile, its centroid is the mean row and
    column of its pixels in the tile, truncated to int, plus the tile offset.

    Args:
        label (np.ndarray): (H, W) integer label map (after the dataset's
            label mapping; values >= ``num_classes`` are not classes).
        num_classes (int): Number of classes.
        tile_size (int, optional): Tile side in pixels; None makes the whole
            map one tile.

    Returns:
        np.ndarray: int32 array (K, 3) of (class, x, y) rows.
    """
    h, w = label.shape
    th, tw = (h, w) if tile_size is None else (tile_size, tile_size)
    k = num_classes + 1  # one bin for every non-class value
    row_ids = np.arange(th, dtype=np.int64)[:, None] * k
    col_ids = np.arange(tw, dtype=np.int64)[None, :] * k
    rows = []
    for y0 in range(0, (h // th) * th, th):
        for x0 in range(0, (w // tw) * tw, tw):
            tile = label[y0:y0 + th, x0:x0 + tw].astype(np.int64)
            tile = np.minimum(tile, num_classes)
            # per-row and per-column pixel counts of every class: exact
            # integer sums of the coordinates
            per_row = np.bincount(
                (row_ids + tile).ravel(), minlength=th * k).reshape(th, k)
            per_col = np.bincount(
                (col_ids + tile).ravel(), minlength=tw * k).reshape(tw, k)
            count = per_row.sum(0)
            sum_y = per_row.T @ np.arange(th, dtype=np.int64)
            sum_x = per_col.T @ np.arange(tw, dtype=np.int64)
            for c in np.flatnonzero(count[:num_classes]):
                rows.append((c, int(sum_x[c] / count[c]) + x0,
                             int(sum_y[c] / count[c]) + y0))
    return np.asarray(rows, dtype=np.int32).reshape(-1, 3)


@DATASETS.register_module()
class ClassUniformDataset(Dataset):
    """Class-uniform sampling over one or more segmentation datasets.

    The scheme of the hierarchical multi-scale attention authors
    (NVIDIA/semantic-segmentation ``datasets/uniform.py``: ``build_epoch``,
    ``random_sampling``; ``datasets/cityscapes.py``: coarse boost classes,
    ``disable_coarse``; ``train.py``: ``--max_cu_epoch``). Per-image class
    centroids (:func:`tile_centroids`) are computed once per sub-dataset and
    cached. An epoch has ``N`` samples, ``N`` the total size of the
    ``random_datasets`` (the fine training set). With ``C`` classes and
    fraction ``f``, each class ``c`` gets ``int(N * f / C)`` samples drawn
    from its centroid pool (a random permutation of the pool, repeated when
    the pool is smaller), and the other ``N - C * int(N * f / C)`` samples
    are images of the ``random_datasets`` drawn without replacement (a
    permutation, repeated when needed). A sample drawn for class ``c``
    carries ``centroid`` (x, y) and ``centroid_class`` into its pipeline,
    where :class:`CentroidCrop` places the crop over it. The epoch is then
    shuffled.

    The draw is a pure function of ``(seed, sample index)``: index ``g``
    belongs to epoch ``g // N``, so the run needs a sampler that does not
    shuffle (mmengine's ``InfiniteSampler(shuffle=False)``; rank ``r`` of
    ``R`` takes indices ``r, r + R, ...``, a disjoint share), and every
    worker and rank agrees on the draw without any communication. The
    dataset is ``num_epochs`` epochs long; a sampler that runs past the end
    wraps to epoch 0.

    Differences from the authors' code: a class with an empty pool gives its
    quota to the random part (the authors' epoch gets shorter), so the
    length stays fixed; a disabled dataset really leaves the pools (the
    authors' ``disable_coarse`` restores a dict whose lists were extended in
    place, so their coarse centroids stay in).

    Args:
        datasets (list[dict | Dataset]): Sub-datasets (mmseg segmentation
            datasets), each with its own pipeline, which should contain
            ``CentroidCrop`` after the resize.
        num_classes (int): Number of classes ``C``.
        uniform_fraction (float): Fraction ``f`` of every epoch drawn
            uniformly over classes (the authors' ``class_uniform_pct``).
            Default: 0.5.
        tile_size (int, optional): Tile side for the centroids (the authors'
            ``class_uniform_tile``); None: one tile per image. Default: 1024.
        random_datasets (Sequence[int]): Sub-datasets whose images make the
            random part and whose total size is the epoch length.
            Default: (0,).
        centroid_classes (list, optional): Per sub-dataset, the classes whose
            centroids it adds to the pools (None: all classes); e.g.
            ``[None, coarse_boost_classes]``. Default: None (all classes
            from every sub-dataset).
        disable (list[dict]): Switch sub-datasets off: ``dict(dataset=k,
            after_epoch=e)`` (from epoch ``e`` on, counted from 0; the
            authors' ``--max_cu_epoch``) or ``dict(dataset=k,
            after_sample=s)`` (from sample index ``s``; :class:`
            ClassUniformHook` converts iteration counts into these).
            Default: ().
        num_epochs (int): Length of the dataset in epochs. Default: 1.
        seed (int, optional): Seed of the draw; None: a seed shared by all
            ranks (``mmengine.dist.sync_random_seed``). Default: None.
        cache_dir (str, optional): Folder for the centroid caches; None: a
            ``.class_centroids`` folder beside each sub-dataset's label
            folder (or ``~/.cache/mmseg_gated/class_centroids`` when that is
            not writable). A cache is keyed by the label files' names, sizes
            and modification times and the settings, so changed data makes
            a new one. Default: None.
        num_threads (int): Threads computing the centroids. Default: 8.
        progress (bool): Show a progress bar while computing. Default: True.
        max_refetch (int): Following samples to try when a pipeline returns
            None. Default: 10.
    """

    def __init__(self,
                 datasets: List[Union[dict, Dataset]],
                 num_classes: int,
                 uniform_fraction: float = 0.5,
                 tile_size: Optional[int] = 1024,
                 random_datasets: Sequence[int] = (0, ),
                 centroid_classes: Optional[list] = None,
                 disable: Sequence[dict] = (),
                 num_epochs: int = 1,
                 seed: Optional[int] = None,
                 cache_dir: Optional[str] = None,
                 num_threads: int = 8,
                 progress: bool = True,
                 max_refetch: int = 10):
        self.datasets = [
            DATASETS.build(d) if isinstance(d, dict) else d for d in datasets
        ]
        if not 0.0 <= uniform_fraction <= 1.0:
            raise ValueError(
                f'uniform_fraction must be in [0, 1], got {uniform_fraction}')
        self.num_classes = int(num_classes)
        self.uniform_fraction = float(uniform_fraction)
        self.tile_size = tile_size
        self.random_datasets = [int(d) for d in random_datasets]
        for d in self.random_datasets:
            if not 0 <= d < len(self.datasets):
                raise ValueError(f'random_datasets: no dataset {d}')
        if centroid_classes is None:
            centroid_classes = [None] * len(self.datasets)
        if len(centroid_classes) != len(self.datasets):
            raise ValueError('centroid_classes needs one entry per dataset, '
                             f'got {len(centroid_classes)} for '
                             f'{len(self.datasets)}')
        self.centroid_classes = [
            None if c is None else sorted(int(i) for i in c)
            for c in centroid_classes
        ]
        self.num_epochs = int(num_epochs)
        self.epoch_len = sum(
            len(self.datasets[d]) for d in set(self.random_datasets))
        if self.epoch_len == 0:
            raise ValueError('the random datasets are empty')
        self.seed = sync_random_seed() if seed is None else int(seed)
        self.cache_dir = cache_dir
        self.num_threads = num_threads
        self.progress = progress
        self.max_refetch = max_refetch
        self._off: Dict[int, int] = {}
        for item in disable:
            self.set_disable(**item)
        # per sub-dataset (class, x, y, image index) int32 rows
        self.centroids = [
            self._load_or_build(k, ds) for k, ds in enumerate(self.datasets)
        ]
        self._pools = {}
        self._tables = {}

    # ------------------------------------------------------------------
    # configuration
    @property
    def metainfo(self) -> dict:
        """The first sub-dataset's metainfo."""
        return self.datasets[0].metainfo

    def full_init(self):
        """Sub-datasets are fully initialised at construction."""

    def __len__(self) -> int:
        return self.epoch_len * self.num_epochs

    def set_disable(self,
                    dataset: int,
                    after_epoch: Optional[float] = None,
                    after_sample: Optional[int] = None):
        """Switch sub-dataset ``dataset`` off from an epoch or sample index.

        Args:
            dataset (int): Index of the sub-dataset.
            after_epoch (float, optional): First epoch (from 0) without it.
            after_sample (int, optional): First sample index without it.
        """
        if (after_epoch is None) == (after_sample is None):
            raise ValueError('give exactly one of after_epoch, after_sample')
        if not 0 <= dataset < len(self.datasets):
            raise ValueError(f'disable: no dataset {dataset}')
        if after_sample is None:
            after_sample = int(round(after_epoch * self.epoch_len))
        self._off[int(dataset)] = int(after_sample)
        self._tables = {}

    def disabled_at(self, index: int) -> frozenset:
        """Sub-datasets switched off at sample ``index``."""
        return frozenset(d for d, s in self._off.items() if index >= s)

    # ------------------------------------------------------------------
    # centroids
    def _label_loader(self, ds):
        pipeline = getattr(ds, 'pipeline', None)
        for t in getattr(pipeline, 'transforms', []):
            if type(t).__name__ == 'LoadAnnotations':
                return t
        return TRANSFORMS.build(dict(type='LoadAnnotations'))

    def _image_centroids(self, ds, loader, idx: int) -> np.ndarray:
        info = ds.get_data_info(idx)
        info['seg_fields'] = []
        label = loader(info)['gt_seg_map']
        rows = tile_centroids(label, self.num_classes, self.tile_size)
        return np.concatenate(
            [rows, np.full((len(rows), 1), idx, np.int32)], axis=1)

    def _cache_key(self, ds) -> str:
        h = hashlib.sha1()
        h.update(
            json.dumps(
                dict(
                    version=_CACHE_VERSION,
                    cls=type(ds).__name__,
                    num_classes=self.num_classes,
                    tile=self.tile_size,
                    label_map=sorted((getattr(ds, 'label_map', None)
                                      or {}).items()),
                    reduce_zero_label=bool(
                        getattr(ds, 'reduce_zero_label', False)))).encode())
        for i in range(len(ds)):
            path = ds.get_data_info(i)['seg_map_path']
            st = os.stat(path)
            h.update(f'{path}\0{st.st_size}\0{st.st_mtime_ns}\n'.encode())
        return h.hexdigest()[:20]

    def _cache_file(self, ds, key: str) -> str:
        name = f'class_centroids_{key}.npz'
        if self.cache_dir is not None:
            return osp.join(self.cache_dir, name)
        seg_dir = ds.data_prefix.get('seg_map_path', '') or ds.data_root
        folder = osp.join(seg_dir, '.class_centroids')
        try:
            os.makedirs(folder, exist_ok=True)
            if os.access(folder, os.W_OK):
                return osp.join(folder, name)
        except OSError:
            pass
        return osp.join(
            osp.expanduser('~/.cache/mmseg_gated/class_centroids'), name)

    def _build_centroids(self, k: int, ds) -> np.ndarray:
        loader = self._label_loader(ds)
        bar = ProgressBar(len(ds)) if self.progress and len(ds) else None
        start = time.perf_counter()
        with ThreadPoolExecutor(max(1, self.num_threads)) as pool:
            parts = []
            for rows in pool.map(
                    lambda i: self._image_centroids(ds, loader, i),
                    range(len(ds))):
                parts.append(rows)
                if bar is not None:
                    bar.update()
        rows = (np.concatenate(parts) if parts else np.zeros((0, 4), np.int32))
        print_log(
            f'ClassUniformDataset: {len(rows)} centroids of dataset {k} '
            f'({len(ds)} images) in {time.perf_counter() - start:.1f} s',
            logger='current')
        return rows

    def _load_or_build(self, k: int, ds) -> np.ndarray:
        if len(ds) == 0:
            return np.zeros((0, 4), np.int32)
        rank, world = get_dist_info()
        rows = None
        if rank == 0:
            key = self._cache_key(ds)
            path = self._cache_file(ds, key)
            if osp.isfile(path):
                with np.load(path) as f:
                    rows = f['centroids']
            else:
                rows = self._build_centroids(k, ds)
                os.makedirs(osp.dirname(path), exist_ok=True)
                tmp = f'{path}.{os.getpid()}.tmp.npz'
                np.savez(tmp, centroids=rows)
                os.replace(tmp, path)
        if world > 1:
            # rank 0 computes (or reads) the rows, the other ranks get them
            obj = [rows]
            broadcast_object_list(obj)
            rows = obj[0]
        return rows

    # ------------------------------------------------------------------
    # drawing
    def _pool(self, c: int, disabled: frozenset) -> np.ndarray:
        """Centroid pool of class ``c``: rows (dataset, image, x, y)."""
        key = (c, disabled)
        if key not in self._pools:
            parts = []
            for k, rows in enumerate(self.centroids):
                allowed = self.centroid_classes[k]
                if k in disabled or (allowed is not None and c not in allowed):
                    continue
                sel = rows[rows[:, 0] == c]
                parts.append(
                    np.stack([
                        np.full(len(sel), k, np.int64), sel[:, 3], sel[:, 1],
                        sel[:, 2]
                    ],
                             axis=1))
            self._pools[key] = (
                np.concatenate(parts) if parts else np.zeros((0, 4), np.int64))
        return self._pools[key]

    def build_epoch(self, epoch: int, disabled: frozenset = frozenset()):
        """The draw of one epoch (before its shuffle is applied).

        Args:
            epoch (int): Epoch number (seeds the draw with ``seed``).
            disabled (frozenset): Sub-datasets switched off.

        Returns:
            np.ndarray: int64 (N, 5) rows (dataset, image, x, y, class), class
            -1 (and x = y = -1) for the random part, already shuffled.
        """
        n = self.epoch_len
        per_class = int(n * self.uniform_fraction / self.num_classes)
        pools = [self._pool(c, disabled) for c in range(self.num_classes)]
        empty = sum(len(p) == 0 for p in pools)
        n_rand = n - per_class * (self.num_classes - empty)
        mask = sum(1 << d for d in disabled)
        rng = np.random.default_rng([self.seed, int(epoch), mask])

        # random part: images of the random datasets without replacement
        rand_ds = [d for d in dict.fromkeys(self.random_datasets)]
        sizes = np.array([len(self.datasets[d]) for d in rand_ds])
        starts = np.concatenate([[0], np.cumsum(sizes)])
        flat = rng.permutation(int(starts[-1]))[np.arange(n_rand) %
                                                int(starts[-1])]
        which = np.searchsorted(starts, flat, side='right') - 1
        table = [
            np.stack([
                np.asarray(rand_ds)[which], flat - starts[which],
                np.full(n_rand, -1),
                np.full(n_rand, -1),
                np.full(n_rand, -1)
            ],
                     axis=1)
        ]
        for c, pool in enumerate(pools):
            if len(pool) == 0 or per_class == 0:
                continue
            pick = rng.permutation(len(pool))[np.arange(per_class) % len(pool)]
            sel = pool[pick]
            table.append(
                np.concatenate([sel, np.full((per_class, 1), c)], axis=1))
        table = np.concatenate(table).astype(np.int64)
        return table[rng.permutation(n)]

    def _table(self, epoch: int, disabled: frozenset) -> np.ndarray:
        key = (epoch, disabled)
        if key not in self._tables:
            if len(self._tables) >= 4:
                self._tables.pop(next(iter(self._tables)))
            self._tables[key] = self.build_epoch(epoch, disabled)
        return self._tables[key]

    def sample_at(self, index: int) -> dict:
        """What sample ``index`` draws.

        Returns:
            dict: ``dataset``, ``index`` (in that dataset), ``epoch``,
            ``centroid`` ((x, y) or None) and ``centroid_class`` (-1 for the
            random part).
        """
        index = int(index)
        if not 0 <= index < len(self):
            raise IndexError(f'index {index} out of range {len(self)}')
        epoch, pos = divmod(index, self.epoch_len)
        row = self._table(epoch, self.disabled_at(index))[pos]
        d, i, x, y, c = (int(v) for v in row)
        return dict(
            dataset=d,
            index=i,
            epoch=epoch,
            centroid=None if c < 0 else (x, y),
            centroid_class=c)

    def get_data_info(self, index: int) -> dict:
        """The sub-dataset's data info of sample ``index`` with the draw."""
        s = self.sample_at(index)
        info = self.datasets[s['dataset']].get_data_info(s['index'])
        info.update(
            centroid=s['centroid'],
            centroid_class=s['centroid_class'],
            class_uniform_dataset=s['dataset'])
        return info

    def __getitem__(self, index: int):
        for attempt in range(self.max_refetch + 1):
            g = index
            if attempt:
                # the next samples of the same epoch
                epoch, pos = divmod(index, self.epoch_len)
                g = epoch * self.epoch_len + (pos + attempt) % self.epoch_len
            info = self.get_data_info(g)
            data = self.datasets[info['class_uniform_dataset']].pipeline(info)
            if data is not None:
                return data
        raise RuntimeError(f'the pipeline returned None for sample {index} '
                           f'and the {self.max_refetch} samples after it')
