# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Time and memory of one RMILoss call (forward + backward).

    nice -n 10 python tools/analysis_tools/rmi_benchmark.py \
        --shape 2 19 512 1024

Memory: the increase of the process' peak resident set size over the call
(``resource.getrusage``; on CPU every tensor lives in RSS), so it includes
the transient float64 neighbourhood stacks and the BCE buffers.
"""
import argparse
import resource
import sys
import time

import torch

import mmseg_gated  # noqa: F401
from mmseg_gated.models.losses import RMILoss


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != 'darwin' else kb / 2**20


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--shape', type=int, nargs=4, default=[2, 19, 512, 1024],
                   help='B C H W')
    p.add_argument('--no-backward', action='store_true')
    args = p.parse_args()
    b, c, h, w = args.shape
    torch.manual_seed(0)
    logits = torch.randn(b, c, h, w, requires_grad=True)
    label = torch.randint(0, c, (b, h, w))
    label[:, :h // 8] = 255
    crit = RMILoss()
    # warm-up on a small input (allocator, kernels), then the measured call
    crit(torch.randn(1, c, 64, 64), torch.randint(0, c, (1, 64, 64)))
    before = peak_rss_mb()
    t0 = time.perf_counter()
    loss = crit(logits, label)
    t_fwd = time.perf_counter() - t0
    if not args.no_backward:
        loss.backward()
    t_all = time.perf_counter() - t0
    after = peak_rss_mb()
    inputs_mb = (logits.numel() * 4 + label.numel() * 8) / 2**20
    print(f'RMILoss {b}x{c}x{h}x{w}, {torch.get_num_threads()} thread(s): '
          f'loss {loss.item():.4f}')
    print(f'forward {t_fwd:.3f} s, forward+backward {t_all:.3f} s')
    print(f'peak RSS +{after - before:.0f} MB over the call '
          f'(inputs {inputs_mb:.0f} MB, peak RSS {after:.0f} MB)')


if __name__ == '__main__':
    main()
