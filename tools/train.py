# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Train a segmentor with mmseg's flow; the mmseg_gated plugin is imported.

Example::

    python tools/train.py \
        configs/demo/upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py
    python tools/train.py CONFIG --resume  # latest checkpoint in work_dir
    torchrun --nproc_per_node=8 tools/train.py CONFIG --launcher pytorch
"""
import argparse
import logging
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner

import mmseg_gated  # noqa: F401  (registers the plugin's modules)
from mmseg_gated.apis import (CheckpointLoadError,
                              enable_safe_checkpoint_loading, trust_checkpoint)
from mmseg_gated.engine import (CheckpointSaveError, setup_bad_sample_skipping,
                                setup_cpu_distributed, teardown_distributed)
from mmseg_gated.engine.hooks import BadSampleLimitError, NonFiniteError


def parse_args():
    parser = argparse.ArgumentParser(
        description='Train a segmentor',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        default=None,
        help='resume from a checkpoint; with no value, from the latest '
        'checkpoint in the work_dir. Resuming unpickles the checkpoint in '
        'full (optimizer, message hub): allowed for checkpoints in the '
        'work_dir, or with --trust-checkpoint')
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='allow --resume CKPT to unpickle a checkpoint outside the '
        'work_dir in full (only for files you trust: unpickling can run '
        'code)')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training')
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
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def check_resume_trust(resume, work_dir, trust):
    """Register which checkpoint ``--resume`` may unpickle in full."""
    trust_checkpoint(work_dir)  # what `--resume` (auto) finds
    if resume == 'auto':
        return
    inside = osp.realpath(resume).startswith(osp.realpath(work_dir) + os.sep)
    if trust:
        trust_checkpoint(resume)
    elif not inside:
        raise SystemExit(
            f'error: --resume {resume}: resuming restores the optimizer and '
            'message hub, which means unpickling the file in full, and it is '
            f'outside this run\'s work_dir ({work_dir}). If you trust the '
            'file, add --trust-checkpoint; to start from its weights only, '
            'use --cfg-options load_from=PATH instead.')


def main():
    args = parse_args()

    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    # work_dir: CLI > config > ./work_dirs/<config name>
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.amp:
        import torch
        if not torch.cuda.is_available():
            raise SystemExit(
                'error: --amp needs a CUDA GPU (mixed precision through '
                "mmengine's AmpOptimWrapper); none is available here. Train "
                'without --amp on CPU.')
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper == 'AmpOptimWrapper':
            print_log(
                'AMP training is already enabled in your config.',
                logger='current',
                level=logging.WARNING)
        elif optim_wrapper != 'OptimWrapper':
            raise SystemExit(
                '--amp works with optim_wrapper.type=OptimWrapper; '
                f'{args.config} uses {optim_wrapper}')
        else:
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.resume is not None:
        check_resume_trust(args.resume, cfg.work_dir, args.trust_checkpoint)

    setup_cpu_distributed(cfg)
    # BadSampleHook(enabled=True): wrap the training pipelines before the
    # data loader workers copy them
    setup_bad_sample_skipping(cfg)
    # Local checkpoints are read without executing pickled code, except the
    # trusted ones registered above (see mmseg_gated.apis.checkpoint).
    enable_safe_checkpoint_loading()

    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        from mmengine.registry import RUNNERS
        runner = RUNNERS.build(cfg)

    try:
        runner.train()
    except CheckpointLoadError as e:
        raise SystemExit(f'error: {e}') from None
    except (NonFiniteError, BadSampleLimitError, CheckpointSaveError) as e:
        # the message says what failed and what to do: no traceback
        raise SystemExit(f'error: {e}') from None
    teardown_distributed(exit_process=True)


if __name__ == '__main__':
    main()
