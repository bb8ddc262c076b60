# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Export a segmentor to ONNX and check it against PyTorch with onnxruntime.

    python tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT --shape H W \
        [--dynamic] [--output FILE] [--opset 17] [--output-type logits] \
        [--atol 1e-4] [--scales 0.5 1.0 2.0] [--allow-partial]

CHECKPOINT may be ``none`` (random weights, to try the export). The ONNX
model computes mmseg's whole-image inference: input ``input``, the
normalised image batch ``B x 3 x H x W`` (the data preprocessor's mean/std
and channel order, stored in the model's metadata), output ``logits``
(``B x C x H x W`` at the input size) or, with ``--output-type label``,
``label`` (``B x 1 x H x W`` int64, the argmax mmseg's post-processing
takes). After the export, onnxruntime runs the model on a seeded random
input and the tool prints the max abs difference to PyTorch's logits
(with ``--dynamic`` also at a second size and batch 2) and exits with 1
above ``--atol``.

Per model family:

- Gated-SCNN with image gradients: Canny (OpenCV, on the CPU) has no ONNX
  op. The model gets a second input ``gradients``, the ``B x 1 x H x W``
  Canny map (0/1) that the head's ``image_gradients`` computes
  (``mmseg_gated.deploy.gradient_input``; for GSCNNHead: ``cv2.Canny`` of
  the RGB uint8 image with the head's ``canny_thresholds``, > 0).
- DDSM: exported with the ``grid_sample`` sampler and the einsum spatial
  core, which the modules pick themselves while ``torch.onnx.export`` runs
  (mmcv's deformable-conv op and the chunked core cannot be traced); the
  tool prints these choices. The parity is against the model as
  configured in PyTorch, so it includes their (rounding-size) difference.
- Multi-scale attention: exported at the config's ``test_scales`` (or
  ``--scales``) for one input size; the rescaled sizes are computed in
  Python, so ``--dynamic`` is refused.
- Adaptive average pooling to k x k (PSP/PPM pyramids, GSTO-PPM, DDSM's
  channel branch): torch's exporter only takes inputs that k divides (PSP
  pool scales 1, 2, 3, 6 on a stride-8 feature: H and W multiples of 48);
  this tool writes the pooling as two constant matrix products, so any
  fixed size exports, but not ``--dynamic``.
"""
import argparse
import os
import os.path as osp
import sys
from typing import Optional, Sequence


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Defaults in --help, except None and False (said in the text)."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def parse_args(argv: Optional[Sequence[str]] = None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(
        description='Export a segmentor to ONNX and compare onnxruntime '
        'with PyTorch',
        formatter_class=_HelpFormatter)
    p.add_argument('config', help='model config')
    p.add_argument(
        'checkpoint', help="checkpoint, or 'none' for random "
        'weights')
    p.add_argument(
        '--shape',
        type=int,
        nargs=2,
        required=True,
        metavar=('H', 'W'),
        help='input height and width')
    p.add_argument(
        '--output',
        default=None,
        help='ONNX file; default work_dirs/onnx/<config>.onnx')
    p.add_argument(
        '--dynamic',
        action='store_true',
        help='batch, height and width as dynamic axes (checked '
        'at a second size as well)')
    p.add_argument(
        '--check-shape',
        type=int,
        nargs=2,
        action='append',
        metavar=('H', 'W'),
        default=None,
        help='with --dynamic: a size to check (repeatable); '
        'default H+32 W+16')
    p.add_argument(
        '--opset',
        type=int,
        default=17,
        help='ONNX opset (>= 16 for GridSample)')
    p.add_argument(
        '--output-type',
        choices=('logits', 'label'),
        default='logits',
        help='model output: logits at the input size, or the '
        'label map')
    p.add_argument(
        '--atol',
        type=float,
        default=1e-4,
        help='largest max abs difference of the logits that '
        'passes')
    p.add_argument(
        '--scales',
        type=float,
        nargs='+',
        default=None,
        help='inference scales of an HMSAEncoderDecoder (must contain '
        '1.0); default: its test_scales')
    p.add_argument(
        '--seed', type=int, default=0, help='seed of the random check input')
    p.add_argument(
        '--allow-partial',
        action='store_true',
        help='go on when the checkpoint fills less than 99%% of '
        "the model's parameters")
    p.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    args = p.parse_args(argv)
    if min(args.shape) < 1:
        p.error(f'--shape must be positive, got {args.shape}')
    if args.check_shape and not args.dynamic:
        p.error('--check-shape needs --dynamic')
    if args.scales is not None and 1.0 not in args.scales:
        p.error(f'--scales must contain 1.0, got {args.scales}')
    return args


def preprocess_metadata(model) -> dict:
    """The data preprocessor's settings the ONNX input expects."""
    dp = getattr(model, 'data_preprocessor', None)
    meta = dict()
    if getattr(dp, '_enable_normalize', False):
        meta['mean'] = ','.join(f'{v:g}' for v in dp.mean.flatten().tolist())
        meta['std'] = ','.join(f'{v:g}' for v in dp.std.flatten().tolist())
    if dp is not None:
        meta['bgr_to_rgb'] = str(
            bool(getattr(dp, '_channel_conversion', False)))
    return meta


def main(argv: Optional[Sequence[str]] = None) -> dict:
    args = parse_args(argv)
    import torch

    import mmseg_gated
    from mmseg_gated.apis import init_tool_model
    from mmseg_gated.deploy import ParityError, add_metadata, export_and_check

    model = init_tool_model(args.config, args.checkpoint, 'cpu',
                            args.allow_partial, args.cfg_options)
    if args.scales is not None:
        if not hasattr(model, 'test_scales'):
            raise SystemExit('error: --scales needs an HMSAEncoderDecoder, '
                             f'got {type(model).__name__}')
        model.test_scales = tuple(float(s) for s in args.scales)
    out = args.output or osp.join(
        'work_dirs', 'onnx',
        osp.splitext(osp.basename(args.config))[0] + '.onnx')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    try:
        with torch.no_grad():
            res = export_and_check(
                model,
                args.shape,
                out,
                output=args.output_type,
                dynamic=args.dynamic,
                opset=args.opset,
                atol=args.atol,
                check_shapes=args.check_shape,
                seed=args.seed,
                raise_on_fail=False)
    except ValueError as e:
        raise SystemExit(f'error: {e}') from None
    meta = preprocess_metadata(model)
    meta.update(
        config=osp.basename(args.config),
        checkpoint=osp.basename(args.checkpoint),
        inputs=','.join(res['inputs']),
        output=res['output'],
        mmseg_gated_version=mmseg_gated.__version__)
    if 'gradients' in res['inputs']:
        meta['gradients'] = ('B x 1 x H x W Canny map (0/1) of the image, '
                             "as the head's image_gradients computes it")
    if hasattr(model, 'test_scales'):
        meta['scales'] = ','.join(f'{s:g}' for s in model.test_scales)
    add_metadata(out, meta)

    print(f'wrote {out}')
    print(f"inputs: {', '.join(res['inputs'])}; output: {res['output']}; "
          f"opset {args.opset}; {'dynamic' if args.dynamic else 'static'}")
    for line in res['changes']:
        print(f'exported as: {line}')
    for c in res['checks']:
        shape = 'x'.join(str(v) for v in c['input_shape'])
        if args.output_type == 'logits':
            print(f"input {shape}: max abs diff {c['max_abs_diff']:.3g} "
                  f"(max |logit| {c.get('max_abs_ref', float('nan')):.3g}, "
                  f"atol {args.atol:g}) {'ok' if c['ok'] else 'FAILED'}")
        else:
            print(f"input {shape}: {c['mismatched']} labels differ, "
                  f"{c['mismatched_clear']} of them not near-ties "
                  f"{'ok' if c['ok'] else 'FAILED'}")
    if not all(c['ok'] for c in res['checks']):
        print(f'error: {ParityError.__doc__.strip()}', file=sys.stderr)
        sys.exit(1)
    return res


if __name__ == '__main__':
    main()
