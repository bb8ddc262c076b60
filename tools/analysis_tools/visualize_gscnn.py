# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Write what a Gated-SCNN model computes for one image as PNGs: the
boundary map of the shape stream, the image gradients (Canny) it fuses,
the fused boundary map that enters the ASPP, and the attention map of
every gated convolutional layer (Takikawa et al., ICCV 2019, Eq. 1-2,
Fig. 2 and Fig. 6).

    python tools/analysis_tools/visualize_gscnn.py CONFIG CHECKPOINT IMAGE \
        [--out-dir DIR] [--allow-partial]

``CHECKPOINT`` may be ``none`` (random weights). The model is unmodified:
the maps are read by forward hooks
(:class:`mmseg_gated.visualization.GSCNNShapeStreamRecorder`). Outputs, all
at the size of IMAGE: ``edge.png`` (sigmoid of the boundary logits, the map
supervised by the boundary BCE, Eq. 3), ``gradients.png`` (the Canny map;
heads with ``use_gradients=True``), ``fused.png`` (the boundary map fed to
the fusion ASPP; with gradients), ``gcl{t}.png`` (attention ``alpha_t`` of
GCL ``t`` in the order of the shape stream), ``pred.png`` (the dataset's
palette) and ``overview.png`` (all of them, labelled). Maps use the fixed
jet scale 0 blue .. 1 red; their min, mean and max are printed. Configs with
slide inference are run whole (one forward pass).
"""
import os.path as osp

from mmseg_gated.visualization import visualizer_parser


def parse_args(argv=None):
    return visualizer_parser(
        'Write the Gated-SCNN boundary map, image gradients, fused boundary '
        'map and GCL attention maps of one image as PNGs (forward hooks on '
        'the unmodified model).', 'folder for the PNGs; None: '
        'IMAGE_STEM_gscnn beside the image').parse_args(argv)


def whole_inference(cfg) -> None:
    test_cfg = cfg.model.get('test_cfg') or {}
    if test_cfg.get('mode', 'whole') != 'whole':
        print(f'{test_cfg["mode"]} inference -> whole (one forward pass)')
        cfg.model.test_cfg = dict(test_cfg, mode='whole')


def main(argv=None):
    args = parse_args(argv)
    from mmseg_gated.apis import init_tool_model
    from mmseg_gated.visualization import visualize_gscnn
    if not osp.isfile(args.image):
        raise SystemExit(f'error: no image file {args.image!r}')
    model = init_tool_model(args.config, args.checkpoint, args.device,
                            args.allow_partial, args.cfg_options,
                            whole_inference)
    stem = osp.splitext(osp.basename(args.image))[0]
    out_dir = args.out_dir or osp.join(
        osp.dirname(args.image) or '.', f'{stem}_gscnn')
    try:
        res = visualize_gscnn(model, args.image, out_dir)
    except ValueError as e:
        raise SystemExit(f'error: {e}') from None
    for name, m in res['maps'].items():
        if name == 'gradients':
            print(f'gradients: {m.mean():.2%} of the pixels are Canny edges')
        else:
            print(f'{name}: min {m.min():.3f} mean {m.mean():.3f} max '
                  f'{m.max():.3f}')
    if not res['has_gradients']:
        print('the head fuses no image gradients (use_gradients=False): no '
              'gradients.png / fused.png')
    names = ', '.join(osp.basename(p) for p in res['paths'].values())
    print(f'wrote {len(res["paths"])} PNGs to {out_dir}: {names}')


if __name__ == '__main__':
    main()
