"""Class-uniform sampling: centroids, cache, draw, switch-off, workers."""
import os
import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from mmengine.dataset import InfiniteSampler, pseudo_collate
from mmengine.registry import init_default_scope
from scipy import ndimage, stats
from torch.utils.data import DataLoader

import mmseg_gated  # noqa: F401  (registers the parts)
from mmseg_gated.datasets.class_uniform import (ClassUniformDataset,
                                                tile_centroids)
from mmseg_gated.engine.hooks import ClassUniformHook

CLASSES = ('bg', 'a', 'b', 'c', 'd')


@pytest.fixture(autouse=True)
def mmseg_scope():
    # pipelines name mmseg's and mmseg_gated's transforms, as in a run
    init_default_scope('mmseg')


H, W, TILE = 40, 64, 32


def _scene(rng, classes):
    """A label map: background with one rectangle per class in ``classes``.

    Rectangles are placed inside single 32x32 tiles, so a class's centroid
    lies on one of its pixels.
    """
    label = np.zeros((H, W), np.uint8)
    for c in classes:
        tx = rng.integers(0, W // TILE)
        y0 = rng.integers(0, TILE - 8)
        x0 = tx * TILE + rng.integers(0, TILE - 8)
        label[y0:y0 + rng.integers(3, 8), x0:x0 + rng.integers(3, 8)] = c
    label[rng.random((H, W)) < 0.02] = 255
    return label


def _write(root, n, class_sets, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'img'), exist_ok=True)
    os.makedirs(osp.join(root, 'ann'), exist_ok=True)
    for i in range(n):
        label = _scene(rng, class_sets[i % len(class_sets)])
        img = np.dstack([label, label // 2, np.full_like(label, i)])
        cv2.imwrite(osp.join(root, 'img', f'{i:04d}.png'), img)
        cv2.imwrite(osp.join(root, 'ann', f'{i:04d}.png'), label)


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('cu')
    # fine: class 1 common, 2 sometimes, 3 and 4 rare
    _write(
        osp.join(root, 'fine'),
        40, [(1, ), (1, 2), (1, ), (1, 3), (1, ), (1, 2), (1, ), (1, ), (1, 4),
             (1, 2)],
        seed=0)
    # coarse: rich in the rare classes
    _write(osp.join(root, 'coarse'), 24, [(3, 4), (1, 3), (2, 4)], seed=1)
    return str(root)


def _ds_cfg(root, name, pipeline=()):
    return dict(
        type='BaseSegDataset',
        data_root=osp.join(root, name),
        data_prefix=dict(img_path='img', seg_map_path='ann'),
        img_suffix='.png',
        seg_map_suffix='.png',
        metainfo=dict(classes=CLASSES),
        pipeline=list(pipeline))


def _wrapper(root, cache, **kw):
    args = dict(
        datasets=[_ds_cfg(root, 'fine'),
                  _ds_cfg(root, 'coarse')],
        num_classes=len(CLASSES),
        tile_size=TILE,
        centroid_classes=[None, [3, 4]],
        num_epochs=400,
        seed=7,
        cache_dir=cache,
        progress=False)
    args.update(kw)
    return ClassUniformDataset(**args)


def _hand_centroids(label, num_classes, tile):
    """The authors' definition with scipy's centre of mass, per tile."""
    out = []
    for ty in range(label.shape[0] // tile):
        for tx in range(label.shape[1] // tile):
            patch = label[ty * tile:(ty + 1) * tile, tx * tile:(tx + 1) * tile]
            for c in range(num_classes):
                if (patch == c).any():
                    cy, cx = ndimage.center_of_mass(
                        (patch == c).astype(np.float64))
                    out.append((c, int(cx) + tx * tile, int(cy) + ty * tile))
    return sorted(out)


def test_tile_centroids_match_hand_computation():
    rng = np.random.default_rng(3)
    label = rng.integers(0, 7, (70, 100)).astype(np.uint8)
    label[rng.random(label.shape) < 0.3] = 255
    label[:, 40:] = np.where(label[:, 40:] == 2, 5, label[:, 40:])
    got = sorted(map(tuple, tile_centroids(label, 6, 32).tolist()))
    assert got == _hand_centroids(label, 6, 32)
    assert len(got) > 20
    # a map smaller than a tile has no tiles (as theirs); None: one tile
    assert len(tile_centroids(label, 6, 128)) == 0
    whole = sorted(map(tuple, tile_centroids(label, 6, None).tolist()))
    hand = []
    for c in range(6):
        cy, cx = ndimage.center_of_mass((label == c).astype(np.float64))
        hand.append((c, int(cx), int(cy)))
    assert whole == hand


def test_cache_matches_hand_and_is_invalidated(data, tmp_path, monkeypatch):
    cache = str(tmp_path / 'cache')
    calls = []
    build = ClassUniformDataset._build_centroids

    def counting(self, k, ds):
        calls.append(k)
        return build(self, k, ds)

    monkeypatch.setattr(ClassUniformDataset, '_build_centroids', counting)
    ds = _wrapper(data, cache)
    assert calls == [0, 1]
    assert len(os.listdir(cache)) == 2
    for k, name in enumerate(['fine', 'coarse']):
        rows = ds.centroids[k]
        for i in range(len(ds.datasets[k])):
            label = cv2.imread(
                osp.join(data, name, 'ann', f'{i:04d}.png'),
                cv2.IMREAD_UNCHANGED)
            got = sorted(map(tuple, rows[rows[:, 3] == i][:, :3].tolist()))
            assert got == _hand_centroids(label, len(CLASSES), TILE)
    # a second build reads the cache
    again = _wrapper(data, cache)
    assert calls == [0, 1]
    np.testing.assert_array_equal(again.centroids[1], ds.centroids[1])
    # a changed label file makes a new cache for its dataset only
    path = osp.join(data, 'coarse', 'ann', '0005.png')
    old = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    try:
        new = np.zeros_like(old)
        new[2:9, 40:50] = 2
        cv2.imwrite(path, new)
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        changed = _wrapper(data, cache)
        assert calls == [0, 1, 1]
        rows = changed.centroids[1]
        got = sorted(map(tuple, rows[rows[:, 3] == 5][:, :3].tolist()))
        assert got == _hand_centroids(new, len(CLASSES), TILE)
        assert (2, 44, 5) in got
    finally:
        cv2.imwrite(path, old)


def test_epoch_draw_counts_and_sources(data, tmp_path):
    ds = _wrapper(data, str(tmp_path))
    n, c = 40, len(CLASSES)
    assert ds.epoch_len == n and len(ds) == n * 400
    per_class = int(n * 0.5 / c)  # the authors' int(N * pct / C) = 4
    table = ds.build_epoch(0)
    assert table.shape == (n, 5)
    counts = np.bincount(table[:, 4] + 1, minlength=c + 1)
    assert counts[0] == n - per_class * c  # the random part
    assert (counts[1:] == per_class).all()
    rand = table[table[:, 4] < 0]
    assert (rand[:, 0] == 0).all()  # random part: fine images only
    assert len(np.unique(rand[:, 1])) == len(rand)  # without replacement
    coarse = table[table[:, 0] == 1]
    assert set(coarse[:, 4].tolist()) <= {3, 4}  # boost classes only
    # every drawn centroid is a centroid of that image and class
    for d, i, x, y, k in table[table[:, 4] >= 0]:
        rows = ds.centroids[d]
        assert ((rows[:, 0] == k) & (rows[:, 1] == x) & (rows[:, 2] == y) &
                (rows[:, 3] == i)).any()
    # deterministic under the seed, different for another seed or epoch
    np.testing.assert_array_equal(table, ds.build_epoch(0))
    np.testing.assert_array_equal(table,
                                  _wrapper(data, str(tmp_path)).build_epoch(0))
    assert not np.array_equal(table, ds.build_epoch(1))
    assert not np.array_equal(
        table,
        _wrapper(data, str(tmp_path), seed=8).build_epoch(0))


def test_draw_frequencies_chi_square(data, tmp_path):
    ds = _wrapper(data, str(tmp_path))
    epochs = 300
    tables = np.concatenate([ds.build_epoch(e) for e in range(epochs)])
    c = len(CLASSES)
    # class frequencies of the draw equal the configured ones exactly
    freq = np.bincount(tables[:, 4] + 1, minlength=c + 1) / len(tables)
    np.testing.assert_allclose(freq[1:], 4 / 40)
    np.testing.assert_allclose(freq[0], 1 - 5 * 4 / 40)
    # within a class, centroids uniform over its pool (chi-square, seed 7)
    for k in range(c):
        pool = ds._pool(k, frozenset())
        drawn = tables[tables[:, 4] == k]
        keys = {tuple(r): j for j, r in enumerate(pool.tolist())}
        hits = np.zeros(len(pool))
        for r in drawn[:, :4].tolist():
            hits[keys[tuple(r)]] += 1
        assert hits.sum() == 4 * epochs
        assert stats.chisquare(hits).pvalue > 1e-3, k
    # random part uniform over the fine images
    rand = np.bincount(tables[tables[:, 4] < 0][:, 1], minlength=40)
    assert stats.chisquare(rand).pvalue > 1e-3
    # coarse share of a boost class pool matches its share of the pool
    pool3 = ds._pool(3, frozenset())
    share = (pool3[:, 0] == 1).mean()
    got = (tables[tables[:, 4] == 3][:, 0] == 1).mean()
    assert abs(got - share) < 0.06


def test_crops_contain_their_class(data, tmp_path):
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(
            type='RandomResize',
            scale=(W, H),
            ratio_range=(1.0, 2.0),
            keep_ratio=True),
        dict(type='CentroidCrop', crop_size=(24, 24)),
    ]
    ds = _wrapper(
        data,
        str(tmp_path),
        datasets=[
            _ds_cfg(data, 'fine', pipeline),
            _ds_cfg(data, 'coarse', pipeline)
        ])
    np.random.seed(0)
    seen = np.zeros(len(CLASSES))
    for g in range(200):
        out = ds[g]
        k = out['centroid_class']
        if k < 0:
            assert out['centroid'] is None and out['crop_centroid'] is None
            continue
        seen[k] += 1
        assert out['gt_seg_map'].shape == (24, 24)
        assert (out['gt_seg_map'] == k).any(), (g, k)
    assert (seen >= 10).all()


def test_switch_off_by_epoch(data, tmp_path):
    ds = _wrapper(
        data, str(tmp_path), disable=[dict(dataset=1, after_epoch=3)])
    src = [ds.sample_at(g)['dataset'] for g in range(6 * 40)]
    assert 1 in src[:3 * 40]
    assert 1 not in src[3 * 40:]
    # the pools without coarse hold the fine centroids only
    assert (ds._pool(3, frozenset({1}))[:, 0] == 0).all()
    with pytest.raises(ValueError, match='exactly one'):
        ds.set_disable(1)


def _as_list(batch):
    return batch


def _runner(loader, max_iters):
    from mmengine.runner.loops import _InfiniteDataloaderIterator
    loop = SimpleNamespace(
        dataloader=loader,
        dataloader_iterator=_InfiniteDataloaderIterator(loader))
    return SimpleNamespace(train_loop=loop, max_iters=max_iters, iter=0)


def test_hook_switches_off_at_iteration_with_workers(data, tmp_path):
    ds = _wrapper(data, str(tmp_path))
    loader = DataLoader(
        ds,
        batch_size=3,
        sampler=InfiniteSampler(ds, shuffle=False, seed=0),
        num_workers=2,
        persistent_workers=True,
        collate_fn=_as_list)
    runner = _runner(loader, max_iters=60)
    # workers already started; the hook restarts them with the switch
    ClassUniformHook(
        disable=[dict(dataset=1, after_iter=20)]).before_train(runner)
    it = runner.train_loop.dataloader_iterator
    seen = []
    for step in range(40):
        batch = next(it)
        seen.append([b['class_uniform_dataset'] for b in batch])
        # every worker draws what the main process draws for that index
        for j, b in enumerate(batch):
            s = ds.sample_at(step * 3 + j)
            assert b['img_path'].endswith(f"{s['index']:04d}.png")
            assert b['centroid_class'] == s['centroid_class']
    assert any(1 in s for s in seen[:20])
    assert not any(1 in s for s in seen[20:])
    it._iterator._shutdown_workers()


def test_hook_rejects_shuffling_sampler(data, tmp_path):
    ds = _wrapper(data, str(tmp_path))
    loader = DataLoader(
        ds,
        batch_size=2,
        sampler=InfiniteSampler(ds, shuffle=True, seed=0),
        collate_fn=pseudo_collate)
    with pytest.raises(ValueError, match='shuffle=False'):
        ClassUniformHook().before_train(_runner(loader, 10))


def test_ranks_take_disjoint_shares(data, tmp_path, monkeypatch):
    import mmengine.dataset.sampler as sampler_mod
    shares = []
    for rank in range(2):
        monkeypatch.setattr(
            sampler_mod, 'get_dist_info', lambda r=rank: (r, 2))
        # each rank builds its own copy of the dataset (same seed)
        ds = _wrapper(data, str(tmp_path))
        idx = []
        for i in InfiniteSampler(ds, shuffle=False, seed=0):
            idx.append(i)
            if len(idx) == 30:
                break
        shares.append([(i, ds.sample_at(i)) for i in idx])
    a = {i for i, _ in shares[0]}
    b = {i for i, _ in shares[1]}
    assert not a & b and a | b == set(range(60))
    single = _wrapper(data, str(tmp_path))
    for i, s in shares[0] + shares[1]:
        assert s == single.sample_at(i)


def _crop_input(h, w, seed=0):
    rng = np.random.default_rng(seed)
    # distinct pixel values locate the image inside the crop
    img = (np.arange(h * w).reshape(h, w) % 250 + 1).astype(np.uint8)
    img = np.dstack([img, img, img])
    label = rng.integers(0, 5, (h, w)).astype(np.uint8)
    return dict(
        img=img, gt_seg_map=label, seg_fields=['gt_seg_map'], img_shape=(h, w))


def test_padded_full_frame_crop_places_image_as_authors():
    from mmseg_gated.datasets.transforms import CentroidCrop
    crop = CentroidCrop(crop_size=(40, 60))
    offsets = set()
    for seed in range(60):
        np.random.seed(seed)
        res = crop(_crop_input(30, 50))
        img, lab = res['img'], res['gt_seg_map']
        assert img.shape == (40, 60, 3) and lab.shape == (40, 60)
        # where the image's first pixel landed
        ys, xs = np.nonzero(img[..., 0] == 1)
        oy, ox = int(ys[0]), int(xs[0])
        offsets.add((oy, ox))
        src = _crop_input(30, 50)
        np.testing.assert_array_equal(img[oy:oy + 30, ox:ox + 50], src['img'])
        np.testing.assert_array_equal(lab[oy:oy + 30, ox:ox + 50],
                                      src['gt_seg_map'])
        inside = np.zeros((40, 60), bool)
        inside[oy:oy + 30, ox:ox + 50] = True
        assert (img[~inside] == 0).all() and (lab[~inside] == 255).all()
        assert res['pad_border'] == (6, 6, 6, 6)
    # pad (40 - 30) // 2 + 1 = 6 each side, crop offset 0..2 in a 42 x 62
    # frame: the image starts at 4..6, never at the top left
    assert offsets == {(y, x) for y in (4, 5, 6) for x in (4, 5, 6)}


def test_mmseg_random_crop_and_preprocessor_pad_differently():
    """mmseg's RandomCrop + SegDataPreProcessor do not express the crop."""
    import torch
    from mmengine.structures import PixelData
    from mmseg.models import SegDataPreProcessor
    from mmseg.registry import TRANSFORMS
    from mmseg.structures import SegDataSample
    res = TRANSFORMS.build(dict(type='RandomCrop', crop_size=(40, 60)))(
        _crop_input(30, 50))
    assert res['img'].shape == (30, 50, 3)  # no padding in the transform
    mean, std = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
    pre = SegDataPreProcessor(
        mean=mean, std=std, size=(40, 60), pad_val=0, seg_pad_val=255)
    sample = SegDataSample()
    sample.gt_sem_seg = PixelData(
        data=torch.from_numpy(res['gt_seg_map'][None].astype(np.int64)))
    sample.set_metainfo(dict(img_shape=(30, 50)))
    out = pre(
        dict(
            inputs=[torch.from_numpy(res['img']).permute(2, 0, 1)],
            data_samples=[sample]))
    x = out['inputs'][0]
    # the image sits at the top left ...
    assert torch.equal(out['data_samples'][0].gt_sem_seg.data[0, :30, :50],
                       torch.from_numpy(res['gt_seg_map']).long())
    # ... and the border is 0 after normalisation (the mean colour), where
    # the authors' black border normalises to -mean / std
    assert (x[:, 30:, :] == 0).all()
    black = -torch.tensor(mean) / torch.tensor(std)
    assert (black.abs() > 1.7).all()


def test_centroid_crop_covers_centroid_with_their_offsets():
    from mmseg_gated.datasets.transforms import CentroidCrop
    crop = CentroidCrop(crop_size=(20, 30))
    x1s = []
    for seed in range(600):
        np.random.seed(seed)
        res = _crop_input(50, 100)
        # drawn at (10, 20) in the original image, scaled by 2 before
        res.update(centroid=(10, 20), scale_factor=(2.0, 2.0))
        res['img'] = np.repeat(np.repeat(res['img'], 2, 0), 2, 1)
        res['gt_seg_map'] = np.repeat(np.repeat(res['gt_seg_map'], 2, 0), 2, 1)
        out = crop(res)
        y1, y2, x1, x2 = out['crop_bbox']
        assert x1 <= 20 <= x2 and y1 <= 40 <= y2
        assert out['crop_centroid'] == (20 - x1, 40 - y1)
        x1s.append(x1)
    # x1 = clip(randint(20 - 30, 20), 0, 200 - 30): 0 with probability
    # 11/31, else uniform on 1..20
    x1s = np.array(x1s)
    assert set(x1s.tolist()) == set(range(21))
    assert abs((x1s == 0).mean() - 11 / 31) < 0.06
    # no centroid: uniform over all crops in the image (mmseg's RandomCrop)
    np.random.seed(1)
    free = [crop(_crop_input(50, 100))['crop_bbox'][2] for _ in range(300)]
    assert min(free) == 0 and max(free) == 70
