# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Inference latency of several configs' models, measured in one run.

    python tools/analysis_tools/benchmark_latency.py CONFIG [CONFIG ...] \
        [--shape 512 1024] [--repeat 5] [--warmup 1] [--threads N]

Builds every model (SyncBN -> BN, no pretrained weights), then times
``model._forward`` (backbone + decode head, no post-processing) on the same
random input, interleaving the models round by round so that load from
other processes affects them alike. Prints the median per model and its
ratio to the first config's.
"""
import argparse
import time

import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope

import mmseg_gated  # noqa: F401


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description='Inference latency of several configs, interleaved in '
        'one run (median per model and its ratio to the first).',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('configs', nargs='+', help='config files')
    p.add_argument(
        '--shape',
        type=int,
        nargs='+',
        default=[512, 1024],
        help='input size: H W, or one value for a square')
    p.add_argument('--repeat', type=int, default=5, help='timed rounds')
    p.add_argument('--warmup', type=int, default=1, help='untimed rounds')
    p.add_argument(
        '--threads',
        type=int,
        default=0,
        help='torch threads (0: torch default)')
    p.add_argument('--device', default='cpu', help='device, e.g. cuda:0')
    args = p.parse_args(argv)
    if len(args.shape) not in (1, 2) or min(args.shape) < 1:
        p.error(f'--shape takes H W or one size, all positive; got '
                f'{args.shape}')
    if args.repeat < 1 or args.warmup < 0 or args.threads < 0:
        p.error('--repeat must be >= 1, --warmup and --threads >= 0')
    return args


def build(path, device):
    from mmseg.registry import MODELS
    cfg = Config.fromfile(path)
    model_cfg = cfg.model
    model_cfg.pop('pretrained', None)
    model_cfg.pop('auxiliary_head', None)
    model_cfg.get('backbone', {}).pop('init_cfg', None)
    model = revert_sync_batchnorm(MODELS.build(model_cfg))
    return model.to(device).eval()


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    h, w = (args.shape * 2)[:2]
    init_default_scope('mmseg')
    torch.manual_seed(0)
    models = [build(p, args.device) for p in args.configs]
    x = torch.randn(1, 3, h, w, device=args.device)

    def sync():
        if args.device.startswith('cuda'):
            torch.cuda.synchronize()

    times = [[] for _ in models]
    with torch.no_grad():
        for _ in range(args.warmup):
            for m in models:
                m._forward(x)
        for _ in range(args.repeat):
            for i, m in enumerate(models):
                sync()
                t0 = time.perf_counter()
                m._forward(x)
                sync()
                times[i].append(time.perf_counter() - t0)
    print(f'input 1x3x{h}x{w}, device {args.device}, '
          f'{torch.get_num_threads()} threads, median of {args.repeat}')
    med = [sorted(t)[len(t) // 2] for t in times]
    for path, m in zip(args.configs, med):
        print(f'{m:8.3f} s  x{m / med[0]:.2f}  {path}')


if __name__ == '__main__':
    main()
