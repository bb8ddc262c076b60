# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Time and peak memory of one DDSM forward+backward: the original einsum
spatial core against the chunked one, both sampler backends.

    OMP_NUM_THREADS=1 python tools/analysis_tools/benchmark_ddsm.py \\
        [--channels 256] [--size 64 128] [--points 9 25] \\
        [--cores einsum chunked] [--backends torch mmcv] [--repeat 2] \\
        [--device cpu|cuda] [--threads 1] [--spatial-only] [--core-only]

The DDSM is built as in UPerNet (``channels`` wide, so C' = channels / 2;
``x_h`` at half the size of ``x_l``) in train mode; the timed step is the
module's forward and backward (inputs and parameters get gradients).

Each case runs in a fresh subprocess. CPU peak: the resident-set high-water
mark (``ru_maxrss``) minus the resident size before the first step, with
glibc told to serve every allocation over 64 KiB with mmap
(``MALLOC_MMAP_THRESHOLD_``) so that freed tensors leave the resident set
and the high-water mark follows live memory. CUDA peak:
``torch.cuda.max_memory_allocated`` minus the memory allocated before the
first step. Peaks are also given in units of one sampled key (or value)
tensor, ``B x C' x N x H x W`` float32, the tensor the einsum core
materialises twice.
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
    p.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=[64, 128],
        help='H W of x_l (x_h is half of it)')
    p.add_argument('--points', type=int, nargs='+', default=[9, 25])
    p.add_argument('--cores', nargs='+', default=['einsum', 'chunked'])
    p.add_argument('--backends', nargs='+', default=['torch', 'mmcv'])
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--repeat', type=int, default=2)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--device', default='cpu')
    p.add_argument(
        '--threads',
        type=int,
        default=0,
        help='torch threads (0: leave the default)')
    p.add_argument(
        '--spatial-only',
        action='store_true',
        help='DDSM without the channel branch')
    p.add_argument(
        '--core-only',
        action='store_true',
        help='time the spatial core alone (q, k, v, offsets and '
        'modulation given) instead of a whole DDSM')
    p.add_argument(
        '--chunk-elements',
        type=int,
        default=0,
        help="DDSM's chunk_elements (0: its default)")
    p.add_argument('--json', help='also write the results to this file')
    p.add_argument(
        '--single',
        nargs=3,
        metavar=('CORE', 'BACKEND', 'N'),
        help=argparse.SUPPRESS)  # internal: one case, JSON out
    return p.parse_args(argv)


def run_case(args, core, backend, num_points):
    import torch

    from mmseg_gated.models.layers import DDSM
    if args.threads:
        torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    torch.manual_seed(0)
    c = args.channels
    extra = dict(chunk_elements=args.chunk_elements) \
        if args.chunk_elements else {}
    m = DDSM(
        c,
        c,
        c,
        spatial_cfg=dict(
            num_points=num_points, backend=backend, core=core, **extra),
        channel_cfg=None if args.spatial_only else dict(
            backend=backend)).to(dev).train()
    spatial = m.spatial_branch
    # a trained-like sampler: points off the grid
    torch.nn.init.normal_(spatial.sampler.conv_offset.weight, std=0.1)
    h, w = args.size
    x_l = torch.randn(args.batch, c, h, w, device=dev, requires_grad=True)
    x_h = torch.randn(
        args.batch, c, h // 2, w // 2, device=dev, requires_grad=True)
    grad = torch.randn(args.batch, c, h, w, device=dev)

    def module_step():
        out = m(x_l, x_h)
        out.backward(grad)
        x_l.grad = x_h.grad = None
        m.zero_grad(set_to_none=True)
        del out

    def sync():
        if dev.type == 'cuda':
            torch.cuda.synchronize()

    step = _core_step(spatial, x_l, core, backend) if args.core_only \
        else module_step

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
        peak = torch.cuda.max_memory_allocated() - base
    else:
        peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss -
                rss_before) * 1024
    times.sort()
    sampled = args.batch * spatial.key_channels * num_points * h * w * 4
    return dict(
        core=core,
        backend=backend,
        points=num_points,
        median_s=times[len(times) // 2],
        min_s=times[0],
        peak_mib=peak / 2**20,
        sampled_mib=sampled / 2**20,
        peak_x=peak / sampled,
        threads=torch.get_num_threads())


def _core_step(m, x_l, core, backend):
    """fwd+bwd of the spatial core alone on the DDSM spatial branch's own
    q/k/v, offsets and modulation (computed once, outside the measured
    step)."""
    import torch

    from mmseg_gated.ops import sampled_attention, sampled_attention_einsum
    with torch.no_grad():
        x = x_l.detach()
        q = m.query(x)
        k = m.key(torch.cat([x, x], dim=1))
        v = m.value(x)
        offset, mask = m.sampler.offset_and_mask(k)
    leaves = [t.clone().requires_grad_() for t in (q, k, v, offset, mask)]
    ksize = m.sampler.kernel_size
    grad = torch.randn_like(q)

    def step():
        if core == 'einsum':
            out = sampled_attention_einsum(*leaves, ksize, 1, backend)
        else:
            out = sampled_attention(*leaves, ksize, 1, backend, None,
                                    m.chunk_elements)
        out.backward(grad)
        for t in leaves:
            t.grad = None
        del out

    return step


def main(argv=None):
    args = parse_args(argv)
    if args.single:
        core, backend, n = args.single
        print('RESULT ' + json.dumps(run_case(args, core, backend, int(n))))
        return
    cmd = [sys.executable, os.path.abspath(__file__)]
    passthrough = [
        '--channels',
        str(args.channels), '--size', *map(str, args.size), '--batch',
        str(args.batch), '--repeat',
        str(args.repeat), '--warmup',
        str(args.warmup), '--device', args.device, '--threads',
        str(args.threads), '--chunk-elements',
        str(args.chunk_elements)
    ] + (['--spatial-only'] if args.spatial_only else
         []) + (['--core-only'] if args.core_only else [])
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_='65536')
    h, w = args.size
    what = 'DDSM spatial core' if args.core_only else 'DDSM'
    print(f'{what} forward+backward, B={args.batch} channels={args.channels} '
          f"(C'={max(args.channels // 2, 1)}), x_l {h}x{w}, x_h "
          f'{h // 2}x{w // 2}, device={args.device}, median of '
          f'{args.repeat}' +
          (', spatial branch only' if args.spatial_only else ''))
    print(f'{"N":>3} {"backend":>7} {"core":>8} {"median s":>9} '
          f'{"min s":>7} {"peak MiB":>9} {"peak / sampled":>15}')
    results = []
    for n in args.points:
        for backend in args.backends:
            for core in args.cores:
                out = subprocess.run(
                    cmd + passthrough + ['--single', core, backend,
                                         str(n)],
                    capture_output=True,
                    text=True,
                    env=env)
                if out.returncode:
                    sys.exit(f'case {core}/{backend}/N={n} failed:\n'
                             f'{out.stderr[-2000:]}')
                line = [
                    ln for ln in out.stdout.splitlines()
                    if ln.startswith('RESULT ')
                ]
                res = json.loads(line[-1][len('RESULT '):])
                results.append(res)
                print(f'{n:>3} {backend:>7} {core:>8} '
                      f'{res["median_s"]:>9.3f} {res["min_s"]:>7.3f} '
                      f'{res["peak_mib"]:>9.0f} '
                      f'{res["peak_x"]:>14.2f}x')
    sizes = sorted({(r['points'], r['sampled_mib']) for r in results})
    print("one sampled tensor (B x C' x N x H x W, float32): " +
          ', '.join(f'N={n}: {mib:.0f} MiB' for n, mib in sizes))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
