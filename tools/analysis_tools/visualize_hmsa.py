# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Per-scale predictions and attention of a multi-scale attention model on
one image (hierarchical multi-scale attention, Fig. 5).

    python tools/analysis_tools/visualize_hmsa.py CONFIG CHECKPOINT IMAGE \\
        [--out-dir DIR] [--scales 0.5 1.0 2.0]

CHECKPOINT may be ``none`` (random weights). The model runs once on the
whole image, as ``tools/test.py`` would (the config's test pipeline and
``test_scales``); forward hooks on the unmodified model
(:class:`mmseg_gated.visualization.ScaleAttentionRecorder`) record what each
scale computed. PNGs, all at the image's size, named after the image
(``STEM``): ``STEM_pred.png`` (the joint prediction, dataset palette),
``STEM_scale{s}_pred.png`` (scale ``s`` alone), ``STEM_scale{s}_weight.png``
(the share of scale ``s`` in the joint prediction, white 1, black 0; the
shares sum to 1 at every pixel, as in Fig. 5), ``STEM_scale{s}_attn.png``
(hierarchical only: the relative attention ``a_s``; the highest scale's is
not used) and ``STEM_hmsa.png`` (image, joint prediction and, per scale,
the prediction above its share).
"""
import os.path as osp
from typing import List, Optional, Sequence

from mmseg_gated.visualization import visualizer_parser


def parse_args(argv: Optional[Sequence[str]] = None):
    p = visualizer_parser(
        'Write the per-scale predictions and attention of a multi-scale '
        'attention model on one image as PNGs (the paper\'s Fig. 5).')
    p.add_argument(
        '--scales',
        type=float,
        nargs='+',
        default=None,
        help="inference scales (default: the config's "
        'test_scales; must contain 1.0)')
    return p.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> List[str]:
    args = parse_args(argv)
    from mmseg_gated.apis import init_tool_model
    from mmseg_gated.visualization import visualize_scale_attention
    if not osp.isfile(args.image):
        raise SystemExit(f'error: image {args.image} not found')
    if args.scales is not None and 1.0 not in args.scales:
        raise SystemExit(f'error: --scales must contain 1.0, got '
                         f'{args.scales}')

    def prepare(cfg):
        if cfg.model.get('type') == 'SegTTAModel':
            raise SystemExit(f'error: {args.config} is a test-time '
                             'augmentation config; give the config of the '
                             'model it wraps')
        if args.scales is not None:
            cfg.model.test_scales = tuple(args.scales)
        cfg.model.test_cfg = dict(mode='whole')  # one pass per scale

    model = init_tool_model(args.config, args.checkpoint, args.device,
                            args.allow_partial, args.cfg_options, prepare)
    try:
        written = visualize_scale_attention(model, args.image, args.out_dir)
    except ValueError as e:
        raise SystemExit(f'error: {e}') from None
    for path in written:
        print(path)
    return written


if __name__ == '__main__':
    main()
