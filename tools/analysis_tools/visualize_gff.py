# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Write the GFF gate maps of one image as PNGs (GFF paper, Fig. 7a) and,
with ``--zero-gate``, the prediction with a level's gate forced to zero and
the pixels that changed (Fig. 7b).

    python tools/analysis_tools/visualize_gff.py CONFIG CHECKPOINT IMAGE \\
        [--out-dir DIR] [--zero-gate 0 --zero-gate 3]

Files, named after the image (``IMAGE = .../frame.png``), in ``--out-dir``
(default: beside the image): ``frame_gate_l{L}.png`` (level L's gate, mean
over its channels, resized to the image, jet colour map: 0 blue .. 1 red),
``frame_pred.png`` (palette colours) and, per zeroed level,
``frame_pred_zero_l{L}.png`` and ``frame_changed_zero_l{L}.png`` (changed
pixels in red over the image).

Works with any model holding a gated :class:`GFFNeck` (``fusion='gff'`` or
``'gated_fpn'``). The model is not modified: the gates are read, and set to
zero, by forward hooks (:class:`mmseg_gated.visualization.GFFGateRecorder`).
The image runs whole, so each level has one gate map.
"""
from mmseg_gated.visualization import visualizer_parser


def parse_args(argv=None):
    parser = visualizer_parser(
        'Write the gate maps of a GFF model for one image (GFF paper, Fig. '
        '7) through forward hooks.')
    parser.add_argument(
        '--zero-gate',
        type=int,
        action='append',
        default=[],
        help='also predict with this level\'s gate set to 0 (repeatable)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmseg_gated.apis import init_tool_model
    from mmseg_gated.visualization import visualize_gff
    model = init_tool_model(args.config, args.checkpoint, args.device,
                            args.allow_partial, args.cfg_options)
    res = visualize_gff(model, args.image, args.out_dir, args.zero_gate)
    for level, g in res['gates'].items():
        print(f'level {level} gate: {tuple(g.shape[2:])} map, mean '
              f'{g.mean():.3f}, min {g.min():.3f}, max {g.max():.3f}')
    for level, changed in res['changed'].items():
        print(f'level {level} gate = 0: {changed:.2%} of pixels change')
    print(f'wrote {len(res["gates"])} gate maps to {res["out_dir"]}')


if __name__ == '__main__':
    main()
