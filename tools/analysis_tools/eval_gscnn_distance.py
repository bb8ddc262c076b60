# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Distance-based evaluation of Gated-SCNN (Fig. 5): mIoU on centre crops of
decreasing size, each scaled back to the full image size.

    python tools/analysis_tools/eval_gscnn_distance.py CONFIG CHECKPOINT \
        [--crop-factors 0 100 200 300 400] [--work-dir DIR] \
        [--out results.json] [--cfg-options ...]

For every crop factor the test pipeline becomes ``LoadImageFromFile,
LoadAnnotations, CenterCropZoom(crop_factor), PackSegInputs`` (images are
evaluated at their native size, as the paper does on Cityscapes at
1024x2048), and the config's test evaluator runs (mIoU, and the boundary
F-score if the config has it).
"""
import argparse
import json
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import mmseg_gated  # noqa: F401
from mmseg_gated.apis import enable_safe_checkpoint_loading


def crop_pipeline(crop_factor: int) -> list:
    return [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='CenterCropZoom', crop_factor=crop_factor),
        dict(type='PackSegInputs')
    ]


def main():
    parser = argparse.ArgumentParser(
        description=' '.join(__doc__.split('\n\n')[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument(
        '--crop-factors', type=int, nargs='+', default=[0, 100, 200, 300, 400])
    parser.add_argument('--work-dir', default=None)
    parser.add_argument('--out', default=None, help='write a JSON summary')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    enable_safe_checkpoint_loading()
    results = {}
    for cf in args.crop_factors:
        cfg = Config.fromfile(args.config)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        cfg.load_from = args.checkpoint
        cfg.work_dir = args.work_dir or osp.join(
            './work_dirs', 'distance_eval',
            osp.splitext(osp.basename(args.config))[0])
        cfg.test_dataloader.dataset.pipeline = crop_pipeline(cf)
        cfg.test_dataloader.batch_size = 1
        metrics = Runner.from_cfg(cfg).test()
        results[cf] = {k: float(v) for k, v in metrics.items()}
        print(f'crop factor {cf}: ' +
              ', '.join(f'{k} {v:.2f}' for k, v in results[cf].items()))
    print('\ncrop factor | mIoU')
    for cf, m in results.items():
        print(f'{cf:11d} | {m.get("mIoU", float("nan")):.2f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
