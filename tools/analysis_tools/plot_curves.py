# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Draw the losses, the learning rate and every validation metric of a
training run to one PNG.

    python tools/analysis_tools/plot_curves.py WORK_DIR [--out FILE]
    python tools/analysis_tools/plot_curves.py RUN/vis_data/scalars.json

Reads the ``scalars.json`` that mmengine's ``LocalVisBackend`` writes
(``<work_dir>/<timestamp>/vis_data/scalars.json``: one JSON object per
line, training records with ``lr`` and the losses at every logging
interval, validation records with the metrics; both carry ``step``). For
a work dir it takes the newest run that logged training (a later
``tools/test.py`` run into the same work dir logs only metrics), or, with
``--all-runs``, every run in time order (a resumed training continues in a
new run folder). Uses matplotlib's Agg backend (no display, no seaborn).

Panels, top to bottom: the losses (every training key containing
``loss``), the learning rate (keys ending in ``lr``), the other training
scalars (e.g. ``decode.acc_seg``) if any, and the validation metrics (all
keys of the validation records but timing). Timing keys (``time``,
``data_time``, ``memory``) and counters (``iter``, ``epoch``) are left out.
"""
import argparse
import glob
import json
import math
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

SKIP_KEYS = {'step', 'iter', 'epoch', 'time', 'data_time', 'memory', 'eta'}


def parse_args():
    parser = argparse.ArgumentParser(
        description='Plot losses, lr and validation metrics of a run from '
        'its vis_data/scalars.json (matplotlib, Agg backend).')
    parser.add_argument(
        'path',
        help='work dir (the newest run with training records is used) or '
        'a scalars.json file')
    parser.add_argument(
        '--out',
        default=None,
        help='output PNG (default: curves.png beside the scalars.json, or '
        'in WORK_DIR with --all-runs)')
    parser.add_argument(
        '--all-runs',
        action='store_true',
        help='concatenate the runs of WORK_DIR in time order (e.g. a '
        'training resumed into new run folders); a later record of the '
        'same step replaces an earlier one (default: off)')
    parser.add_argument(
        '--title', default=None, help='figure title (default: the path)')
    return parser.parse_args()


def read_scalars(path: str) -> List[dict]:
    """The records of one ``scalars.json`` (one JSON object per line)."""
    records = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(
                    f'{path}:{lineno} is not a JSON object: {e}') from e
            if not isinstance(rec, dict) or 'step' not in rec:
                raise ValueError(f'{path}:{lineno}: expected an object with '
                                 f'a "step" key (mmengine LocalVisBackend '
                                 f'format), got {line[:80]!r}')
            records.append(rec)
    return records


def is_train_record(rec: dict) -> bool:
    """Training records carry the learning rate and losses; validation
    records only metrics and timing."""
    return any(k == 'lr' or k.endswith('.lr') or 'loss' in k for k in rec)


def run_files(work_dir: str) -> List[str]:
    """``<work_dir>/<timestamp>/vis_data/scalars.json``, oldest first."""
    files = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    return sorted(
        files, key=lambda p: osp.basename(osp.dirname(osp.dirname(p))))


def choose_files(path: str, all_runs: bool = False) -> List[str]:
    """The scalars.json file(s) to plot for ``path`` (see module doc)."""
    if osp.isfile(path):
        return [path]
    if not osp.isdir(path):
        raise ValueError(f'path {path!r} is neither a work dir nor a file')
    files = [f for f in run_files(path) if osp.getsize(f) > 0]
    if not files:
        raise ValueError(f'no <timestamp>/vis_data/scalars.json with records '
                         f'under {path!r}')
    if all_runs:
        return files
    for f in reversed(files):
        if any(is_train_record(r) for r in read_scalars(f)):
            return [f]
    return [files[-1]]


def split_series(
    records: List[dict]
) -> Tuple[Dict[str, Dict[int, float]], Dict[str, Dict[int, float]], bool]:
    """``(train, val, by_epoch)``: per key, step -> value; a later record of
    the same kind and step replaces an earlier one. ``by_epoch`` is True
    when the training records carry ``epoch`` (validation steps are then
    epochs)."""
    train: Dict[str, Dict[int, float]] = OrderedDict()
    val: Dict[str, Dict[int, float]] = OrderedDict()
    by_epoch = False
    for rec in records:
        is_train = is_train_record(rec)
        by_epoch = by_epoch or (is_train and 'epoch' in rec)
        target = train if is_train else val
        for key, value in rec.items():
            if key in SKIP_KEYS or isinstance(value, bool) or \
                    not isinstance(value, (int, float)):
                continue
            target.setdefault(key, {})[int(rec['step'])] = float(value)
    return train, val, by_epoch


def group_train_keys(train: Dict[str, Dict[int, float]]):
    losses = [k for k in train if 'loss' in k]
    lrs = [k for k in train if k == 'lr' or k.endswith('lr')]
    others = [k for k in train if k not in losses and k not in lrs]
    return losses, lrs, others


def _plot(ax, series: Dict[int, float], label: str, marker=None):
    steps = sorted(series)
    ax.plot(
        steps, [series[s] for s in steps],
        label=label,
        marker=marker,
        markersize=4,
        linewidth=1.2)


def plot_curves(records: List[dict],
                out: str,
                title: Optional[str] = None) -> List[str]:
    """Draw the records to ``out``; return the panel titles drawn."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    train, val, by_epoch = split_series(records)
    losses, lrs, others = group_train_keys(train)
    panels = []
    if losses:
        panels.append(('loss', losses, train, 'iteration'))
    if lrs:
        panels.append(('learning rate', lrs, train, 'iteration'))
    if others:
        panels.append(('training scalars', others, train, 'iteration'))
    if val:
        panels.append(('validation', list(val), val,
                       'epoch' if by_epoch else 'iteration'))
    if not panels:
        raise ValueError('no loss, lr or metric to plot in the records')

    # panels over iterations share the x range, so that validation points
    # line up with the training curves
    iter_steps = [
        s for _, keys, data, xlabel in panels if xlabel == 'iteration'
        for k in keys for s in data[k]
    ]
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(8, 2.8 * len(panels)), squeeze=False)
    for ax, (name, keys, data, xlabel) in zip(axes[:, 0], panels):
        for key in keys:
            few = len(data[key]) <= 30
            _plot(ax, data[key], key, marker='o' if few else None)
        ax.set_title(name)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if xlabel == 'iteration' and len(set(iter_steps)) > 1:
            lo, hi = min(iter_steps), max(iter_steps)
            pad = 0.02 * (hi - lo)
            ax.set_xlim(lo - pad, hi + pad)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc='best')
        if name == 'learning rate':
            ax.ticklabel_format(axis='y', style='sci', scilimits=(-3, 3))
        if name == 'loss':
            values = [v for k in keys for v in data[k].values()]
            finite = [v for v in values if math.isfinite(v)]
            if finite and min(finite) > 0 and \
                    max(finite) / min(finite) > 100:
                ax.set_yscale('log')
    if title:
        fig.suptitle(title, fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, 0.98))
    else:
        fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return [p[0] for p in panels]


def main():
    args = parse_args()
    files = choose_files(args.path, args.all_runs)
    records = []
    for f in files:
        records.extend(read_scalars(f))
    if args.out is not None:
        out = args.out
    elif len(files) == 1:
        out = osp.join(osp.dirname(files[0]), 'curves.png')
    else:
        out = osp.join(args.path, 'curves.png')
    panels = plot_curves(records, out, args.title or args.path)
    print(f'read {len(records)} records from {", ".join(files)}')
    print(f'wrote {out} ({", ".join(panels)})')


if __name__ == '__main__':
    main()
