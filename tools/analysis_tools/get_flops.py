# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Parameters and FLOPs (multiply-adds) of a config's model.

Works with mmengine 0.10.x (mmseg 1.2.2's own get_flops.py does not) and
counts the ops mmengine skips that mmseg_gated registers handles for (the
DDSM sampler on mmcv's deformable conv, grid_sample).

    python tools/analysis_tools/get_flops.py CONFIG --shape 512 512
    python tools/analysis_tools/get_flops.py CONFIG --shape 1024 --no-aux

The figure is multiply-adds, the convention of mmengine and of most
segmentation papers that quote "GFLOPs"; some papers count 2x this.
"""
import argparse

from mmengine.config import Config, DictAction
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope

import mmseg_gated  # noqa: F401
from mmseg_gated.utils.flops import count_complexity


def parse_args():
    parser = argparse.ArgumentParser(
        description='Params and FLOPs (multiply-adds, mmengine counter with '
        "handles for the DDSM sampler) of a config's model.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--shape',
        type=int,
        nargs='+',
        default=None,
        help="input image size (H [W]); None: the config's crop_size, or "
        "its data preprocessor's size, else 512 x 512")
    parser.add_argument(
        '--no-aux',
        action='store_true',
        help='drop auxiliary heads (papers report params without them)')
    parser.add_argument(
        '--table', action='store_true', help='print the per-module table')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    args = parser.parse_args()
    if args.shape is not None and (len(args.shape) not in (1, 2)
                                   or min(args.shape) < 1):
        parser.error(f'--shape takes H W or one size, got {args.shape}')
    return args


def default_shape(cfg):
    """The config's training crop (``crop_size``, else the data
    preprocessor's ``size``), else 512 x 512."""
    size = cfg.get('crop_size') or cfg.model.get('data_preprocessor',
                                                 {}).get('size')
    return list(size) if size else [512, 512]


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    h, w = ((args.shape or default_shape(cfg)) * 2)[:2]
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    from mmseg.registry import MODELS
    model_cfg = cfg.model
    if args.no_aux:
        model_cfg.pop('auxiliary_head', None)
    model_cfg.pop('pretrained', None)
    model = revert_sync_batchnorm(MODELS.build(model_cfg))
    res = count_complexity(model, (h, w), show_table=args.table)
    if args.table:
        print(res['table'])
    print(f'Input shape: ({h}, {w})')
    print(f'Flops (multiply-adds): {res["flops"] / 1e9:.2f} G')
    print(f'Params: {res["params"] / 1e6:.3f} M')
    if res['uncounted']:
        print('Ops counted as zero (no handle): ' +
              ', '.join(f'{k} x{v}' for k, v in res['uncounted'].items()))


if __name__ == '__main__':
    main()
