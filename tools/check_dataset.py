# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Read every image and label a config's data loaders would read and report
every problem at once: run it before a long training.

Each split's samples go through the config's own loading transforms (those
named ``Load...``: custom loaders, ``reduce_zero_label`` and label maps
count), in parallel worker processes, with a progress bar on stderr. The
report (stdout) lists undecodable, truncated and missing files, image/label
size mismatches and label values outside ``0..num_classes-1`` and the
ignore index (with the values and their pixel counts), then a class-frequency
table per split. The exit status is 1 when anything is wrong, else 0.

Example::

    python tools/check_dataset.py \\
        configs/demo/pspnet_r18-d8_1xb4-400iter_camvid-180x240.py
    python tools/check_dataset.py CONFIG --splits train --workers 8
"""
import argparse
import os
import os.path as osp
import sys
import time
from collections import Counter, defaultdict

import numpy as np
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.utils import track_parallel_progress, track_progress

SPLITS = ('train', 'val', 'test')
_STATE = {}  # per process: the dataset, its loading transforms and limits


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--splits',
        nargs='+',
        choices=SPLITS,
        default=list(SPLITS),
        help='the data loaders to check ({split}_dataloader)')
    parser.add_argument(
        '--workers',
        type=int,
        default=min(8,
                    os.cpu_count() or 1),
        help='worker processes (0 or 1: read in this process)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, xxx=yyy')
    return parser.parse_args(argv)


def _build(dataset_cfg, scope):
    """Build the dataset with only its loading transforms as pipeline."""
    from mmseg.registry import DATASETS, TRANSFORMS

    import mmseg_gated  # noqa: F401  (registers the plugin's modules)
    from mmseg_gated.datasets.transforms.skip_bad_samples import \
        is_loading_transform
    init_default_scope(scope)
    cfg = dict(dataset_cfg)
    pipeline = cfg.pop('pipeline', None) or []
    if pipeline and isinstance(pipeline[0], dict) and str(
            pipeline[0].get('type')).endswith('SkipBadSamples'):
        pipeline = pipeline[0]['transforms']
    loaders = [
        TRANSFORMS.build(t) for t in pipeline if is_loading_transform(t)
    ]
    cfg['pipeline'] = []
    cfg['lazy_init'] = False
    dataset = DATASETS.build(cfg)
    classes = dataset.metainfo.get('classes') or ()
    return dict(
        dataset=dataset,
        loaders=loaders,
        classes=tuple(classes),
        ignore_index=getattr(dataset, 'ignore_index', 255))


def _init_worker(dataset_cfg, scope):
    _STATE.update(_build(dataset_cfg, scope))


def _is_local(path) -> bool:
    return isinstance(path, str) and '://' not in path


def check_sample(idx):
    """Problems, label histogram and out-of-range values of sample idx."""
    from mmseg_gated.datasets.transforms.skip_bad_samples import \
        truncation_problem
    dataset, loaders = _STATE['dataset'], _STATE['loaders']
    num_classes, ignore = len(_STATE['classes']), _STATE['ignore_index']
    results = dataset.get_data_info(idx)
    problems, hist, bad_values = [], Counter(), Counter()
    broken = set()
    for key, what in (('img_path', 'image'), ('seg_map_path', 'label')):
        path = results.get(key)
        if not _is_local(path):
            continue
        if not osp.isfile(path):
            problems.append((path, f'missing {what} file'))
            broken.add(key)
            continue
        reason = truncation_problem(path)
        if reason:
            problems.append((path, f'{what} {reason}'))
            broken.add(key)
    for t in loaders:
        key = ('seg_map_path'
               if 'Annotation' in type(t).__name__ else 'img_path')
        if key in broken:
            continue  # reported above; decoding it again only adds noise
        try:
            out = t(results)
        except Exception as e:  # noqa: BLE001 - every failure is reported
            problems.append(
                (str(results.get(key)), f'cannot load ({type(t).__name__}): '
                 f'{type(e).__name__}: {e}'.strip()))
            continue
        if out is None:
            problems.append((str(results.get(key)),
                             f'{type(t).__name__} returned no data'))
            continue
        results = out
    img, gt = results.get('img'), results.get('gt_seg_map')
    if img is not None and gt is not None and img.shape[:2] != gt.shape[:2]:
        problems.append(
            (results.get('seg_map_path'), f'label size {gt.shape[1]}x'
             f'{gt.shape[0]} differs from the image\'s {img.shape[1]}x'
             f'{img.shape[0]} ({results.get("img_path")})'))
    if gt is not None:
        flat = np.asarray(gt).ravel()
        if flat.size and flat.min() >= 0 and flat.max() < 65536:
            counts = np.bincount(flat.astype(np.int64))
            values = np.flatnonzero(counts)
            counts = counts[values]
        else:
            values, counts = np.unique(flat, return_counts=True)
        for v, c in zip(values.tolist(), counts.tolist()):
            hist[v] += c
            if not (0 <= v < num_classes) and v != ignore:
                bad_values[v] += c
        if bad_values:
            listed = ', '.join(f'{v} ({c} px)'
                               for v, c in sorted(bad_values.items()))
            problems.append((results.get('seg_map_path'),
                             f'label values outside 0..{num_classes - 1} and '
                             f'ignore_index {ignore}: {listed}'))
    return problems, dict(hist)


def _dataset_cfgs(split_cfg):
    from mmseg_gated.engine.hooks.bad_sample_hook import inner_dataset_cfgs
    return list(inner_dataset_cfgs(split_cfg['dataset']))


def _key(dataset_cfg) -> str:
    """The files and loading transforms a dataset config reads."""
    from mmseg_gated.datasets.transforms.skip_bad_samples import \
        is_loading_transform
    cfg = dict(dataset_cfg)
    cfg.pop('test_mode', None)
    pipeline = cfg.pop('pipeline', None) or []
    cfg['loaders'] = [t for t in pipeline if is_loading_transform(t)]
    return repr(sorted(cfg.items(), key=lambda kv: kv[0]))


def check_dataset(dataset_cfg, scope, workers, file=None):
    file = file or sys.stderr  # the progress bar
    state = _build(dataset_cfg, scope)
    _STATE.update(state)
    tasks = list(range(len(state['dataset'])))
    start = time.perf_counter()
    if not tasks:
        results = []
    elif workers <= 1 or len(tasks) < 2:
        results = track_progress(check_sample, tasks, file=file)
    else:
        results = track_parallel_progress(
            check_sample,
            tasks,
            min(workers, len(tasks)),
            initializer=_init_worker,
            initargs=(dataset_cfg, scope),
            chunksize=max(1, min(16,
                                 len(tasks) // (4 * workers))),
            file=file)
    seconds = time.perf_counter() - start
    print(file=file)
    problems, hist, images = [], Counter(), Counter()
    for sample_problems, sample_hist in results:
        problems.extend(sample_problems)
        hist.update(sample_hist)
        images.update(sample_hist.keys())
    return dict(
        state=state,
        num=len(tasks),
        seconds=seconds,
        problems=problems,
        hist=hist,
        images=images)


def frequency_table(classes, ignore_index, hist, images) -> str:
    total = sum(hist.values()) or 1
    width = max([len(str(c)) for c in classes] + [14])
    rows = [f'  {"class":<{width}} {"pixels":>12} {"share":>7} {"images":>7}']
    for i, name in enumerate(classes):
        mark = '  (absent)' if not hist.get(i) else ''
        rows.append(f'  {str(name):<{width}} {hist.get(i, 0):>12} '
                    f'{100 * hist.get(i, 0) / total:>6.2f}% '
                    f'{images.get(i, 0):>7}{mark}')
    others = sorted(v for v in hist if not 0 <= v < len(classes))
    for v in others:
        name = (f'ignore ({v})' if v == ignore_index else f'invalid ({v})')
        rows.append(f'  {name:<{width}} {hist[v]:>12} '
                    f'{100 * hist[v] / total:>6.2f}% {images.get(v, 0):>7}')
    return '\n'.join(rows)


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    scope = cfg.get('default_scope', 'mmseg')
    init_default_scope(scope)

    seen, all_problems = {}, []
    for split in args.splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader or not loader.get('dataset'):
            print(f'{split}: no {split}_dataloader in the config; skipped')
            continue
        for n, dataset_cfg in enumerate(_dataset_cfgs(loader)):
            dataset_cfg = dataset_cfg.to_dict() if hasattr(
                dataset_cfg, 'to_dict') else dict(dataset_cfg)
            name = split if n == 0 else f'{split}[{n}]'
            key = _key(dataset_cfg)
            if key in seen:
                print(f'{name}: the same files as {seen[key]}; not read '
                      'again')
                continue
            seen[key] = name
            print(
                f'{name}: reading {dataset_cfg.get("type")} '
                f'(data_root={dataset_cfg.get("data_root")})',
                flush=True)
            res = check_dataset(dataset_cfg, scope, args.workers)
            state = res['state']
            per100 = 100 * res['seconds'] / max(res['num'], 1)
            print(f'{name}: {res["num"]} samples read in '
                  f'{res["seconds"]:.1f} s ({per100:.2f} s per 100, '
                  f'{max(args.workers, 1)} worker(s)); loading transforms: ' +
                  (', '.join(type(t).__name__
                             for t in state['loaders']) or 'none'))
            for path, reason in res['problems']:
                all_problems.append((name, path, reason))
            print(f'{name}: class frequency (labels as loaded)')
            print(
                frequency_table(state['classes'], state['ignore_index'],
                                res['hist'], res['images']))
    if all_problems:
        print(f'\n{len(all_problems)} problem(s):')
        by_split = defaultdict(list)
        for name, path, reason in all_problems:
            by_split[name].append((path, reason))
        for name, items in by_split.items():
            for path, reason in items:
                print(f'  [{name}] {path}: {reason}')
        return 1
    print('\nNo problems found.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
