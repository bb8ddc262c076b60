# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Write the GSTO gate maps of one image as PNGs: every gated fuse path of
every HR module (``j -> i``: the gate on branch ``j`` before it is resampled
into branch ``i``), the stage-transition gates and any other gate of the
model (GSTO-PPM / GSTO-ASPP branches).

    python tools/analysis_tools/visualize_gsto.py CONFIG CHECKPOINT IMAGE \\
        [--out-dir DIR] [--stretch]

Files, named after the image (``IMAGE = .../frame.png``), in ``--out-dir``
(default: beside the image):

- ``frame_gsto_stage{S}_m{M}_b{j}_to_b{i}.png``: module ``M`` of stage
  ``S``, path from branch ``j`` (1/4, 1/8, 1/16, 1/32 for j = 0..3) to
  branch ``i`` (``j == i``: the gated identity path of
  :class:`GSTOOfficialHRNet`);
- ``frame_gsto_transition{K}.png``: the gate of the branch that the
  transition after stage ``K`` down-samples into the new branch (for a
  supervised gate, Eq. 4, the gate from its prediction);
- ``frame_gsto_<module path>.png`` for other gates;
- ``frame_gsto_overview.png``: all of them, one row per HR module, labelled
  ``s{S}m{M} j>i``.

Each map is the gate ``sigmoid(...)`` resized to the image, jet colour map
on the fixed scale 0 (blue) .. 1 (red), or per map from its min to its max
with ``--stretch`` (the authors' BN + ReLU gates lie in [0.5, 1)). Min, mean
and max of each gate are printed. The model is not modified: the maps are
read by forward hooks (:class:`mmseg_gated.visualization.GSTOGateRecorder`).
The image runs whole, so each gate has one map.
"""
from mmseg_gated.visualization import visualizer_parser


def parse_args(argv=None):
    parser = visualizer_parser(
        'Write the GSTO gate maps of every fuse path of a model for one '
        'image, through forward hooks.')
    parser.add_argument(
        '--stretch',
        action='store_true',
        help='colour each map from its min to its max instead of 0..1')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmseg_gated.apis import init_tool_model
    from mmseg_gated.visualization import visualize_gsto
    model = init_tool_model(args.config, args.checkpoint, args.device,
                            args.allow_partial, args.cfg_options)
    res = visualize_gsto(model, args.image, args.out_dir, args.stretch)
    for name, g in res['maps'].items():
        if g is None:  # built but not run (e.g. an unused branch)
            print(f'{name}: not run')
        else:
            print(f'{name}: {tuple(g.shape[2:])} map, min {g.min():.3f}, '
                  f'mean {g.mean():.3f}, max {g.max():.3f}')
    written = sum(g is not None for g in res['maps'].values())
    print(f'wrote {written} gate maps and an overview to {res["out_dir"]}')


if __name__ == '__main__':
    main()
