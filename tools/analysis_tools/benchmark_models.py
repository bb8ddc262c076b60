# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Training-step time, inference time, peak memory and images/s of
configs' models, with the ratio to a baseline config, as a Markdown table.

    python tools/analysis_tools/benchmark_models.py [CONFIG ...] \
        [--shape H W] [--batch N] [--warmup 1] [--repeat 3] [--device cpu]

Without configs, benchmarks each paper's main-table model and its baseline
(``DEFAULT_GROUPS``; ``--papers`` picks some). For every config:

- **train step**: ``model.train_step`` (data preprocessor, forward with the
  config's losses and auxiliary heads, backward, the config's optimizer
  step through its ``optim_wrapper``; an ``AmpOptimWrapper`` becomes a plain
  ``OptimWrapper`` off CUDA) on a batch of ``--batch`` random images with
  random block labels, passed through the config's train pipeline minus
  loading and geometric/photometric augmentation (so label-derived fields
  such as Gated-SCNN's boundary band are made as in training);
- **inference**: ``model.test_step`` in the config's ``test_cfg`` mode
  (``whole``/``slide``; models with ``test_scales`` combine their scales
  inside, as at test time) on the same batch size and shape;
- **TTA**, where the config defines ``tta_pipeline``: the ``tta_model``
  wrapper on the views its ``TestTimeAug`` makes of one image (absolute
  ``Resize`` scales become the benchmark shape, ratios are kept; loading
  transforms dropped), per image.

Times are medians over ``--repeat`` runs after ``--warmup`` runs; images/s
is the batch size divided by the median. Peak memory: on CUDA,
``torch.cuda.max_memory_allocated`` per phase (reset before each); on the
CPU, the peak resident set size (``ru_maxrss``) of a fresh worker process
per config, read after the inference phases and again after training, so
the training figure is the peak of the whole worker (training normally
dominates) and both include the interpreter and libraries (``base``, the
resident size after imports, is printed). With ``--in-process`` all configs
run in this process and RSS peaks are cumulative, so they are not reported.
Models are built without pretrained weights, SyncBN replaced by BN.
``OMP_NUM_THREADS`` (torch's thread count) is respected; ``--threads`` sets
it explicitly.
"""
import argparse
import copy
import functools
import json
import os
import os.path as osp
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import torch

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))

# paper -> (baseline, main table model), paths relative to configs/
DEFAULT_GROUPS = {
    'gff': ('gff/pspnet_r101-d8_8xb1-100k_cityscapes-864x864.py',
            'gff/gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py'),
    'gscnn': ('gscnn/deeplabv3plus_wrn38-a2_8xb1-65k_cityscapes-800x800.py',
              'gscnn/gscnn_wrn38-a2_8xb1-65k_cityscapes-800x800.py'),
    'ddsm': ('ddsm/upernet_r50_4xb2-80k_cityscapes-1024x1024.py',
             'ddsm/upernet-ddsm-sc_r50_4xb2-80k_cityscapes-1024x1024.py'),
    'gsto': ('gsto/fcn_hr48_4xb3-120k_cityscapes-512x1024.py',
             'gsto/fcn_gsto-hr48_4xb3-120k_cityscapes-512x1024.py'),
    'hmsa':
    ('hmsa/deeplabv3plus-single_r50-d8_8xb2-200e_mapillary-v1-'
     '1024x1024.py', 'hmsa/deeplabv3plus-hmsa_r50-d8_8xb2-200e_mapillary-v1-'
     '1024x1024.py'),
}

# transforms that read files or change the geometry/colours of a sample:
# type names containing one of these are left out of the train pipeline
_SKIPPED = ('Load', 'Resize', 'Rescale', 'Crop', 'Flip', 'Rotate', 'Pad',
            'Photo', 'Distortion', 'Blur', 'Jitter', 'Color', 'CutOut',
            'Mosaic')


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=' '.join(__doc__.split('\n\n')[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument(
        'configs',
        nargs='*',
        help='config files (the first is the baseline of the ratios); '
        'default: each paper\'s baseline and main-table model')
    p.add_argument(
        '--papers',
        nargs='+',
        choices=sorted(DEFAULT_GROUPS),
        help='default groups to run (without CONFIG)')
    p.add_argument(
        '--shape',
        type=int,
        nargs='+',
        help='input H W, or one value for a square (default: each '
        "config's crop size)")
    p.add_argument(
        '--batch',
        type=int,
        help="images per step (default: the config's per-GPU batch)")
    p.add_argument('--warmup', type=int, default=1, help='untimed runs')
    p.add_argument('--repeat', type=int, default=3, help='timed runs')
    p.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1, ...')
    p.add_argument(
        '--threads',
        type=int,
        default=0,
        help='torch threads (0: OMP_NUM_THREADS / torch default)')
    p.add_argument('--no-tta', action='store_true', help='skip the TTA column')
    p.add_argument(
        '--in-process',
        action='store_true',
        help='run every config in this process (no CPU peak RSS)')
    p.add_argument('--out', help='also write the Markdown table here')
    p.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.shape is not None and (len(args.shape) not in (1, 2)
                                   or min(args.shape) < 1):
        p.error(f'--shape takes H W or one size, all positive; got '
                f'{args.shape}')
    if args.repeat < 1 or args.warmup < 0 or args.threads < 0 or (
            args.batch is not None and args.batch < 1):
        p.error('--repeat and --batch must be >= 1, --warmup and --threads '
                '>= 0')
    if args.configs and args.papers:
        p.error('give configs or --papers, not both')
    return args


def config_groups(args):
    """``[(group name, [config paths])]``; ratios are to each group's
    first config."""
    if args.configs:
        return [('', list(args.configs))]
    papers = args.papers or sorted(DEFAULT_GROUPS)
    return [(name,
             [osp.join(ROOT, 'configs', c) for c in DEFAULT_GROUPS[name]])
            for name in papers]


@functools.lru_cache(maxsize=None)
def _load_config(path):
    from mmengine.config import Config
    return Config.fromfile(path)


def load_config(path):
    """``Config.fromfile``, parsed once per file and process (configs with
    ``mmseg::`` bases take seconds to parse); not to be modified."""
    return _load_config(osp.abspath(path))


def crop_size_of(cfg):
    """The training crop (H, W): ``crop_size``, else the train pipeline's
    ``RandomCrop``, else the data preprocessor's ``size``."""
    if cfg.get('crop_size'):
        return tuple(cfg.crop_size)
    pipeline = cfg.get('train_pipeline') or cfg.train_dataloader.dataset.get(
        'pipeline', [])
    for t in pipeline:
        if t.get('type') == 'RandomCrop':
            return tuple(t['crop_size'])
    size = cfg.model.get('data_preprocessor', {}).get('size')
    if size:
        return tuple(size)
    raise ValueError('no crop size in the config: give --shape')


def num_classes_of(cfg):
    head = cfg.model.get('decode_head')
    if isinstance(head, (list, tuple)):
        head = head[-1]
    if head and head.get('num_classes'):
        return int(head['num_classes'])
    return len(cfg.get('metainfo', {}).get('classes', [])) or 19


def _pipeline(cfg, key):
    pipeline = cfg.get(f'{key}_pipeline')
    if pipeline is None and key == 'train':
        pipeline = cfg.train_dataloader.dataset.get('pipeline', [])
    return pipeline


def _synthetic(h, w, num_classes, seed):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    cells = rng.integers(0, num_classes, (h // 8 + 1, w // 8 + 1))
    label = np.kron(cells, np.ones((8, 8), np.int64))[:h, :w]
    label[rng.random((h, w)) < 0.02] = 255
    return img, label.astype(np.uint8)


def _results(img, label):
    h, w = label.shape
    return dict(
        img=img,
        gt_seg_map=label,
        seg_fields=['gt_seg_map'],
        img_path=None,
        seg_map_path=None,
        reduce_zero_label=False,
        ori_shape=(h, w),
        img_shape=(h, w))


def make_train_batch(cfg, h, w, batch):
    """A batch as the dataloader yields it: the train pipeline without
    loading and augmentation, applied to random images and labels."""
    from mmcv.transforms import Compose
    from mmengine.dataset import pseudo_collate
    kept = [
        t for t in _pipeline(cfg, 'train')
        if not any(word in str(t.get('type')) for word in _SKIPPED)
    ]
    pipeline = Compose(copy.deepcopy(kept))
    k = num_classes_of(cfg)
    data = pseudo_collate([
        pipeline(_results(*_synthetic(h, w, k, seed))) for seed in range(batch)
    ])
    got = tuple(data['inputs'][0].shape[-2:])
    if got != (h, w):
        raise ValueError(f'the kept train transforms '
                         f'{[t.get("type") for t in kept]} changed the '
                         f'input from {(h, w)} to {got}')
    return data


def make_test_batch(h, w, num_classes, batch):
    from mmcv.transforms import Compose
    from mmengine.dataset import pseudo_collate
    pipeline = Compose([dict(type='PackSegInputs')])
    return pseudo_collate([
        pipeline(_results(*_synthetic(h, w, num_classes, seed)))
        for seed in range(batch)
    ])


def make_tta_batch(cfg, h, w):
    """One image through the config's ``TestTimeAug`` (loading dropped,
    absolute resize scales set to ``(w, h)``)."""
    from mmcv.transforms import Compose
    from mmengine.dataset import pseudo_collate

    def fix(t):
        t = copy.deepcopy(t)
        if t.get('type') == 'Resize' and t.get('scale') is not None:
            t['scale'] = (w, h)
        return t

    steps = []
    for t in cfg.tta_pipeline:
        if t.get('type') in ('LoadImageFromFile', 'LoadAnnotations'):
            continue
        if t.get('type') == 'TestTimeAug':
            t = copy.deepcopy(t)
            t['transforms'] = [[
                fix(x) for x in group if x.get('type') != 'LoadAnnotations'
            ] for group in t['transforms']]
            t['transforms'] = [g for g in t['transforms'] if g]
        steps.append(t)
    out = Compose(steps)(_results(*_synthetic(h, w, num_classes_of(cfg), 0)))
    return pseudo_collate([out]), len(out['inputs'])


def build_model(cfg, shape, device):
    from mmengine.model import revert_sync_batchnorm
    from mmseg.registry import MODELS
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.pop('pretrained', None)
    if isinstance(model_cfg.get('backbone'), dict):
        model_cfg.backbone.pop('init_cfg', None)
        model_cfg.backbone.pop('pretrained', None)
    pre = model_cfg.get('data_preprocessor')
    if pre is not None and pre.get('size') is not None:
        pre['size'] = tuple(shape)
    model = revert_sync_batchnorm(MODELS.build(model_cfg))
    return model.to(device)


def build_optim_wrapper_for(cfg, model, device):
    from mmengine.optim import build_optim_wrapper
    ow = copy.deepcopy(cfg.optim_wrapper)
    if not str(device).startswith('cuda') and ow.get('type') in (
            'AmpOptimWrapper', 'mmengine.AmpOptimWrapper'):
        ow['type'] = 'OptimWrapper'
        for key in ('loss_scale', 'dtype'):
            ow.pop(key, None)
    return build_optim_wrapper(model, ow)


def _rss_mb():
    """Current resident set size of this process (MB)."""
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf('SC_PAGE_SIZE') / 2**20


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, warmup, repeat, device):
    cuda = str(device).startswith('cuda')
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        if cuda:
            torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def benchmark_config(path, args):
    """Measure one config; returns a dict of figures."""
    from mmengine.registry import init_default_scope
    cfg = load_config(path)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    device = args.device
    cuda = str(device).startswith('cuda')
    shape = tuple((args.shape * 2)[:2]) if args.shape else crop_size_of(cfg)
    batch = args.batch or cfg.train_dataloader.get('batch_size', 1)
    h, w = shape
    torch.manual_seed(0)
    base_rss = _rss_mb()
    model = build_model(cfg, shape, device)
    row = dict(
        config=osp.relpath(path, ROOT) if osp.isabs(path) else path,
        shape=f'{h}x{w}',
        batch=batch,
        threads=torch.get_num_threads(),
        device=str(device),
        base_rss_mb=base_rss,
        params_m=sum(p.numel() for p in model.parameters()) / 1e6)
    test_cfg = cfg.model.get('test_cfg') or {}
    mode = test_cfg.get('mode', 'whole')
    scales = cfg.model.get('test_scales')
    row['test_mode'] = mode + (f', scales {list(scales)}' if scales else '')

    def reset_peak():
        if cuda:
            torch.cuda.reset_peak_memory_stats(device)

    def peak():
        if cuda:
            return torch.cuda.max_memory_allocated(device) / 2**20
        return _peak_rss_mb()

    # inference (test_cfg mode) and TTA first: CPU peaks are cumulative
    model.eval()
    data = make_test_batch(h, w, num_classes_of(cfg), batch)
    reset_peak()
    with torch.no_grad():
        row['infer_s'] = _timed(lambda: model.test_step(data), args.warmup,
                                args.repeat, device)
    row['infer_peak_mb'] = peak()
    row['tta_s'] = row['tta_views'] = None
    if not args.no_tta and cfg.get('tta_pipeline') and cfg.get('tta_model'):
        from mmseg.registry import MODELS
        tta_cfg = copy.deepcopy(cfg.tta_model)
        tta_cfg['module'] = model
        tta = MODELS.build(tta_cfg)
        tta_data, views = make_tta_batch(cfg, h, w)
        reset_peak()
        with torch.no_grad(), warnings.catch_warnings():
            # mmseg's SegTTAModel stores an H x W prediction in PixelData
            warnings.filterwarnings('ignore',
                                    'The shape of value will convert',
                                    UserWarning)
            row['tta_s'] = _timed(lambda: tta.test_step(tta_data), args.warmup,
                                  args.repeat, device)
        row['tta_views'] = views
        row['tta_peak_mb'] = peak()
    # one training step
    model.train()
    optim_wrapper = build_optim_wrapper_for(cfg, model, device)
    data = make_train_batch(cfg, h, w, batch)
    reset_peak()
    row['train_s'] = _timed(lambda: model.train_step(data, optim_wrapper),
                            args.warmup, args.repeat, device)
    row['train_peak_mb'] = peak()
    return row


def run_worker(path, args):
    """A fresh process per config, for a per-config CPU peak RSS."""
    cmd = [
        sys.executable,
        osp.abspath(__file__), path, '--worker', '--warmup',
        str(args.warmup), '--repeat',
        str(args.repeat), '--device', args.device
    ]
    if args.shape:
        cmd += ['--shape'] + [str(s) for s in args.shape]
    if args.batch:
        cmd += ['--batch', str(args.batch)]
    if args.threads:
        cmd += ['--threads', str(args.threads)]
    if args.no_tta:
        cmd.append('--no-tta')
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        lines = [x for x in proc.stderr.splitlines() if x.strip()]
        print(proc.stderr[-3000:], file=sys.stderr)
        return dict(config=path, error=lines[-1] if lines else 'failed')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_in_process(path, args):
    try:
        return benchmark_config(path, args)
    except Exception as e:  # reported in the table, the others still run
        return dict(config=path, error=f'{type(e).__name__}: {e}')


def _fmt(v, spec='.3f'):
    return '-' if v is None else format(v, spec)


def markdown(groups, args, cpu_rss):
    lines = []
    cuda = str(args.device).startswith('cuda')
    unit = 'peak alloc. (MB)' if cuda else 'peak RSS (MB)'
    head = ('| config | input | batch | train step (s) | train img/s | '
            f'train x | train {unit} | inference (s) | infer img/s | '
            f'infer x | infer {unit} | test mode | TTA (s/img, views) |')
    lines += [head, '|' + ' --- |' * 13]
    for name, rows in groups:
        base = rows[0]
        for r in rows:
            if 'error' in r or 'error' in base:
                error = r.get('error', 'baseline failed')
                lines.append(f"| {osp.basename(r['config'])[:-3]} | "
                             f"failed: {error} |" + ' - |' * 11)
                continue
            mem = cpu_rss or cuda
            tta = '-' if r['tta_s'] is None else \
                f"{r['tta_s']:.3f} ({r['tta_views']})"
            lines.append(
                f"| {osp.basename(r['config'])[:-3]} | {r['shape']} | "
                f"{r['batch']} | {r['train_s']:.3f} | "
                f"{r['batch'] / r['train_s']:.2f} | "
                f"{r['train_s'] / base['train_s']:.2f} | "
                f"{_fmt(r['train_peak_mb'] if mem else None, '.0f')} | "
                f"{r['infer_s']:.3f} | {r['batch'] / r['infer_s']:.2f} | "
                f"{r['infer_s'] / base['infer_s']:.2f} | "
                f"{_fmt(r['infer_peak_mb'] if mem else None, '.0f')} | "
                f"{r['test_mode']} | {tta} |")
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    import mmseg_gated  # noqa: F401
    if args.worker:
        print(json.dumps(benchmark_config(args.configs[0], args)))
        return
    groups = []
    for name, paths in config_groups(args):
        rows = []
        for path in paths:
            if not osp.isfile(path):
                raise SystemExit(f'error: no config {path}')
            print(f'benchmarking {path}', file=sys.stderr)
            rows.append(
                (run_in_process if args.in_process else run_worker)(path,
                                                                    args))
        groups.append((name, rows))
    done = [r for _, rows in groups for r in rows if 'error' not in r]
    failed = [r['config'] for _, rows in groups for r in rows if 'error' in r]
    if not done:
        raise SystemExit(f'error: every config failed: {failed}')
    first = done[0]
    cpu_rss = not args.in_process and not first['device'].startswith('cuda')
    if args.device.startswith('cuda'):
        where = torch.cuda.get_device_name(torch.device(args.device))
    else:
        where = f'CPU, {first["threads"]} torch threads'
    note = (f'{where}; median of {args.repeat} after {args.warmup} warm-up; '
            'ratios (x) to the first config of each group')
    if cpu_rss:
        base = ', '.join(f"{r['base_rss_mb']:.0f}" for r in done)
        note += f'; RSS after imports (base, per worker): {base} MB'
    table = markdown(groups, args, cpu_rss)
    print(note + '\n\n' + table)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(note + '\n\n' + table + '\n')
    if failed:
        raise SystemExit(f'error: failed: {failed}')


if __name__ == '__main__':
    main()
