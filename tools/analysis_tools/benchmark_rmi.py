# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Time and memory of one RMILoss call (forward + backward).

    nice -n 10 python tools/analysis_tools/benchmark_rmi.py \
        --shape 2 19 512 1024

Memory: the increase of the process' peak resident set size over the first
measured call (``resource.getrusage``; on CPU every tensor lives in RSS), so
it includes the transient float64 neighbourhood stacks and the BCE buffers.

``--compare FILE`` also times the ``RMILoss`` class defined in another file
(e.g. a saved copy of a previous version), interleaved with ours in the same
process on the same input; ``--repeat`` calls of each, medians reported.
"""
import argparse
import importlib.util
import resource
import statistics
import sys
import time

import torch

import mmseg_gated  # noqa: F401
from mmseg_gated.models.losses import RMILoss


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != 'darwin' else kb / 2**20


def load_other(path: str):
    """``RMILoss`` of another file, without registering it in mmseg."""
    with open(path, encoding='utf-8') as f:
        src = f.read().replace('@MODELS.register_module()', '')
    spec = importlib.util.spec_from_loader('rmi_compare', loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(src, path, 'exec'), module.__dict__)
    return module.RMILoss


def timed_call(crit, logits, label, backward=True):
    """(forward s, forward + backward s, loss value) of one call."""
    logits.grad = None
    t0 = time.perf_counter()
    loss = crit(logits, label)
    t_fwd = time.perf_counter() - t0
    if backward:
        loss.backward()
    return t_fwd, time.perf_counter() - t0, loss.item()


def main():
    p = argparse.ArgumentParser(
        description=' '.join(__doc__.split('\n\n')[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument(
        '--shape',
        type=int,
        nargs=4,
        default=[2, 19, 512, 1024],
        help='B C H W')
    p.add_argument('--no-backward', action='store_true')
    p.add_argument(
        '--compare',
        metavar='FILE',
        help='also time the RMILoss class defined in FILE')
    p.add_argument(
        '--repeat',
        type=int,
        default=1,
        help='measured calls of each loss (medians reported)')
    args = p.parse_args()
    b, c, h, w = args.shape
    torch.manual_seed(0)
    logits = torch.randn(b, c, h, w, requires_grad=True)
    label = torch.randint(0, c, (b, h, w))
    label[:, :h // 8] = 255
    crits = {'RMILoss': RMILoss()}
    if args.compare:
        crits[args.compare] = load_other(args.compare)()
    # warm-up on a small input (allocator, kernels), then the measured calls
    for crit in crits.values():
        crit(torch.randn(1, c, 64, 64), torch.randint(0, c, (1, 64, 64)))
    before = peak_rss_mb()
    times = {name: [] for name in crits}
    values = {}
    for i in range(args.repeat):
        for name, crit in crits.items():
            t_fwd, t_all, values[name] = timed_call(
                crit, logits, label, backward=not args.no_backward)
            times[name].append((t_fwd, t_all))
        if i == 0:
            after = peak_rss_mb()
    inputs_mb = (logits.numel() * 4 + label.numel() * 8) / 2**20
    print(f'{b}x{c}x{h}x{w}, {torch.get_num_threads()} thread(s), '
          f'{args.repeat} call(s) each, medians:')
    for name, ts in times.items():
        t_fwd = statistics.median(t[0] for t in ts)
        t_all = statistics.median(t[1] for t in ts)
        print(f'  {name}: loss {values[name]:.4f}, forward {t_fwd:.3f} s, '
              f'forward+backward {t_all:.3f} s')
    label_all = 'all losses' if len(crits) > 1 else 'the call'
    print(f'peak RSS +{after - before:.0f} MB over the first round '
          f'({label_all}; inputs {inputs_mb:.0f} MB, peak RSS {after:.0f} MB)')


if __name__ == '__main__':
    main()
