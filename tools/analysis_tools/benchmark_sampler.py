# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Forward+backward time and peak memory of DynamicSampler's backends.

    python tools/analysis_tools/benchmark_sampler.py \
        [--channels 256] [--size 128 256] [--points 9 25] [--repeat 3] \
        [--device cpu|cuda] [--threads N]

Each (backend, N) case runs in a fresh subprocess so that the CPU peak
(``ru_maxrss`` minus the resident size before the first step) is its own;
on CUDA the peak is ``torch.cuda.max_memory_allocated``. Offsets are random
(the conv that predicts them is re-initialised with small random weights),
so the sampled points are off the grid, as after training. The printed
"faster" backend is what ``DynamicSampler(backend='auto')`` should pick on
that device (``DEFAULT_BACKEND`` in
``mmseg_gated/ops/dynamic_sampling.py``).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=' '.join(__doc__.split('\n\n')[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--channels', type=int, default=256)
    p.add_argument('--size', type=int, nargs=2, default=[128, 256])
    p.add_argument('--points', type=int, nargs='+', default=[9, 25])
    p.add_argument('--backends', nargs='+', default=['mmcv', 'torch'])
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--repeat', type=int, default=3)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--device', default='cpu')
    p.add_argument(
        '--threads',
        type=int,
        default=0,
        help='torch threads (0: leave the default)')
    p.add_argument(
        '--single', nargs=2, metavar=('BACKEND', 'N'),
        help=argparse.SUPPRESS)  # internal: one case, JSON out
    return p.parse_args(argv)


def run_case(args, backend, num_points):
    import math

    import torch

    from mmseg_gated.models.layers import DynamicSampler
    if args.threads:
        torch.set_num_threads(args.threads)
    k = math.isqrt(num_points)
    dev = torch.device(args.device)
    torch.manual_seed(0)
    sampler = DynamicSampler(
        args.channels, kernel_size=k, backend=backend).to(dev)
    torch.nn.init.normal_(sampler.conv_offset.weight, std=0.1)
    x = torch.randn(
        args.batch, args.channels, *args.size, device=dev, requires_grad=True)
    grad = torch.randn(
        args.batch, args.channels, num_points, *args.size, device=dev)

    def step():
        out = sampler(x)
        out.backward(grad)
        x.grad = None
        sampler.zero_grad(set_to_none=True)

    def sync():
        if dev.type == 'cuda':
            torch.cuda.synchronize()

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    if dev.type == 'cuda':
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.repeat):
        sync()
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    if dev.type == 'cuda':
        peak_mib = (torch.cuda.max_memory_allocated() - base) / 2**20
    else:
        peak_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss -
                    rss_before) / 1024
    times.sort()
    return dict(
        backend=backend,
        points=num_points,
        median_s=times[len(times) // 2],
        min_s=times[0],
        peak_mib=peak_mib,
        threads=torch.get_num_threads())


def main(argv=None):
    args = parse_args(argv)
    if args.single:
        res = run_case(args, args.single[0], int(args.single[1]))
        print('RESULT ' + json.dumps(res))
        return
    base = [sys.executable, os.path.abspath(__file__)]
    passthrough = [
        '--channels',
        str(args.channels), '--size', *map(str, args.size), '--batch',
        str(args.batch), '--repeat',
        str(args.repeat), '--warmup',
        str(args.warmup), '--device', args.device, '--threads',
        str(args.threads)
    ]
    print(f'DynamicSampler forward+backward, B={args.batch} '
          f'C={args.channels} HxW={args.size[0]}x{args.size[1]}, '
          f'device={args.device}, median of {args.repeat}')
    print(f'{"N":>4} {"backend":>8} {"median s":>9} {"min s":>8} '
          f'{"peak MiB":>9}')
    results = {}
    for n in args.points:
        for backend in args.backends:
            out = subprocess.run(
                base + passthrough +
                ['--single', backend, str(n)],
                capture_output=True,
                text=True,
                check=True).stdout
            line = [ln for ln in out.splitlines() if ln.startswith('RESULT ')]
            res = json.loads(line[-1][len('RESULT '):])
            results[(n, backend)] = res
            print(f'{n:>4} {backend:>8} {res["median_s"]:>9.3f} '
                  f'{res["min_s"]:>8.3f} {res["peak_mib"]:>9.0f}')
    for n in args.points:
        if all((n, b) in results for b in ('mmcv', 'torch')):
            t = {b: results[(n, b)]['median_s'] for b in ('mmcv', 'torch')}
            fast = min(t, key=t.get)
            slow = max(t, key=t.get)
            print(f'N={n}: {fast} is faster ({t[slow] / t[fast]:.2f}x)')


if __name__ == '__main__':
    main()
