# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Test (and optionally show) a checkpoint with mmseg's flow.

Example::

    python tools/test.py CONFIG work_dirs/xxx/iter_1000.pth
    python tools/test.py CONFIG CKPT --tta          # multi-scale + flip
    torchrun --nproc_per_node=8 tools/test.py CONFIG CKPT --launcher pytorch
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import mmseg_gated  # noqa: F401  (registers the plugin's modules)
from mmseg_gated.apis import (CheckpointLoadError,
                              enable_safe_checkpoint_loading)
from mmseg_gated.engine import setup_cpu_distributed, teardown_distributed


def parse_args():
    parser = argparse.ArgumentParser(
        description='MMSeg test (and eval) a model',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='if specified, the evaluation metric results will be dumped '
        'into the directory as json')
    parser.add_argument(
        '--out',
        type=str,
        help='the directory to save the output prediction for offline '
        'evaluation')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory where painted images will be saved. '
        'If specified, it will be automatically saved '
        'to the work_dir/timestamp/show_dir')
    parser.add_argument(
        '--show-interval',
        type=int,
        default=None,
        help='with --show/--show-dir, draw every N-th test image; None '
        "keeps the config's SegVisualizationHook interval")
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--tta', action='store_true', help='test time augmentation')
    parser.add_argument(
        '--allow-partial',
        action='store_true',
        help='test even if the checkpoint fills less than 99%% of the '
        "model's parameters (by default that stops with an error naming "
        'the missing and unexpected keys)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def trigger_visualization_hook(cfg, args):
    default_hooks = cfg.default_hooks
    if 'visualization' not in default_hooks:
        raise RuntimeError('--show/--show-dir need a "visualization" entry in '
                           'default_hooks (type SegVisualizationHook)')
    visualization_hook = default_hooks['visualization']
    visualization_hook['draw'] = True
    if args.show_interval is not None:
        if args.show_interval < 1:
            raise SystemExit('error: --show-interval must be >= 1')
        visualization_hook['interval'] = args.show_interval
    if args.show:
        visualization_hook['show'] = True
        visualization_hook['wait_time'] = args.wait_time
    if args.show_dir:
        visualizer = cfg.visualizer
        visualizer['save_dir'] = args.show_dir
    return cfg


def set_output_dir(cfg, out):
    """``--out``: every test metric that can write predictions does.

    ``test_evaluator`` may be one metric or a list (IoU plus boundary F, ...);
    the metrics whose constructor takes ``output_dir`` (mmseg's
    ``IoUMetric``, ``CityscapesMetric``, ...) get it with ``keep_results``.
    """
    import inspect

    from mmseg.registry import METRICS
    evaluators = cfg.test_evaluator
    if not isinstance(evaluators, (list, tuple)):
        evaluators = [evaluators]
    writers = []
    for evaluator in evaluators:
        metric = METRICS.get(evaluator['type'])
        params = inspect.signature(metric).parameters if metric else {}
        if 'output_dir' in params:
            evaluator['output_dir'] = out
            if 'keep_results' in params:
                evaluator['keep_results'] = True
            writers.append(evaluator['type'])
    if not writers:
        raise SystemExit(
            f'error: --out: none of the test metrics '
            f'({[e["type"] for e in evaluators]}) can write predictions')


def set_coverage_check(cfg, allow_partial):
    """Make sure a CheckpointCoverageHook guards the test."""
    hooks = cfg.setdefault('custom_hooks', [])
    mine = [h for h in hooks if h.get('type') == 'CheckpointCoverageHook']
    if not mine:
        mine = [dict(type='CheckpointCoverageHook', min_fraction=0.99)]
        hooks.append(mine[0])
    for hook in mine:
        hook['allow_partial'] = allow_partial


def main():
    args = parse_args()

    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    cfg.load_from = args.checkpoint

    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)

    if args.tta:
        if cfg.model.get('type') == 'SegTTAModel':
            raise RuntimeError(
                f'{args.config} already tests with test-time augmentation '
                '(its model is a SegTTAModel): run it without --tta')
        if 'tta_pipeline' not in cfg or 'tta_model' not in cfg:
            raise RuntimeError(
                f'--tta needs `tta_pipeline` and `tta_model` in {args.config}')
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model

    if args.out is not None:
        set_output_dir(cfg, args.out)

    set_coverage_check(cfg, args.allow_partial)
    setup_cpu_distributed(cfg)
    # Read the checkpoint without executing pickled code.
    enable_safe_checkpoint_loading()

    runner = Runner.from_cfg(cfg)
    try:
        runner.test()
    except CheckpointLoadError as e:
        raise SystemExit(f'error: {e}') from None
    teardown_distributed(exit_process=True)


if __name__ == '__main__':
    main()
