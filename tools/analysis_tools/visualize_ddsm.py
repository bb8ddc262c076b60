# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Where each DDSM samples, for given pixels and channels (DDSM paper,
Fig. 4b; Eq. 1-3).

    python tools/analysis_tools/visualize_ddsm.py CONFIG CHECKPOINT IMAGE \\
        [--pixel Y X [Y X ...]] [--channel C [C ...]] [--out-dir DIR] \\
        [--allow-partial] [--cfg-options ...]

CHECKPOINT may be ``none`` (random weights: the offset convs are
zero-initialised, so a random model samples the regular k x k grid, every
point with modulation sigmoid(0) = 0.5). The model runs once on the whole
image with the config's test pipeline; forward hooks on the offset and
modulation convs of every DDSM's samplers
(:class:`mmseg_gated.visualization.DDSMSamplingRecorder`) record what they
predicted. The model is not modified. PNGs, in ``--out-dir`` (default:
``STEM_ddsm/`` beside the image), per DDSM ``NAME`` (its module path, e.g.
``decode_head_fusions_0``): ``NAME_spatial_y{Y}_x{X}.png`` (spatial branch,
Eq. 2, at image pixel (Y, X): the DDSM position nearest to it, the regular
k x k grid ``p + p_n`` and the sampled points ``p + p_n + dp_n``, marker
size and colour the modulation) and ``NAME_channel.png`` (channel branch,
Eq. 3: on the sqrt(c) x sqrt(c) channel grid, the N_c channel positions
each chosen channel samples).
"""
from typing import Optional, Sequence

from mmseg_gated.visualization import visualizer_parser


def parse_args(argv: Optional[Sequence[str]] = None):
    p = visualizer_parser(
        'Draw the points each DDSM samples for given pixels (spatial '
        'branch, the paper\'s Fig. 4b) and the channels it samples for '
        'given channels (channel branch), read through forward hooks.',
        'folder for the PNGs; None: STEM_ddsm/ beside the image')
    p.add_argument(
        '--pixel',
        type=int,
        nargs='+',
        default=None,
        metavar='Y X',
        help='image pixels as pairs of row, column; not given: the image '
        'centre and its four quarter points')
    p.add_argument(
        '--channel',
        type=int,
        nargs='+',
        default=[0, 27, 63],
        help='channels of the channel branch to show')
    args = p.parse_args(argv)
    if args.pixel is not None and len(args.pixel) % 2:
        p.error(f'--pixel takes pairs Y X, got {len(args.pixel)} numbers')
    return args


def main(argv: Optional[Sequence[str]] = None) -> dict:
    args = parse_args(argv)
    from mmseg_gated.apis import init_tool_model
    from mmseg_gated.visualization import ddsm_summary, visualize_ddsm
    model = init_tool_model(args.config, args.checkpoint, args.device,
                            args.allow_partial, args.cfg_options)
    pixels = list(zip(args.pixel[0::2], args.pixel[1::2])) \
        if args.pixel else None
    try:
        results = visualize_ddsm(model, args.image, pixels, args.channel,
                                 args.out_dir)
    except ValueError as e:
        raise SystemExit(f'error: {e}') from None
    print('\n'.join(ddsm_summary(results)))
    return results


if __name__ == '__main__':
    main()
