# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Write the GFF gate maps of one image as PNGs (GFF paper, Fig. 7a) and,
with ``--zero-gate``, the prediction with a level's gate forced to zero and
the pixels that changed (Fig. 7b).

    python tools/analysis_tools/visualize_gates.py CONFIG CHECKPOINT IMAGE \\
        [--out-dir DIR] [--zero-gate 0 --zero-gate 3]

Files, named after the image (``IMAGE = .../frame.png``), in ``--out-dir``
(default: beside the image): ``frame_gate_l{L}.png`` (level L's gate, mean
over its channels, resized to the image, jet colour map: 0 blue .. 1 red),
``frame_pred.png`` (palette colours) and, per zeroed level,
``frame_pred_zero_l{L}.png`` and ``frame_changed_zero_l{L}.png`` (changed
pixels in red over the image).

Works with any model holding a gated :class:`GFFNeck` (``fusion='gff'`` or
``'gated_fpn'``; inside ``GFFHead``/``GFFOfficialHead`` or as the
segmentor's neck). The model is not modified: gate maps are read, and a gate
is set to zero, by forward hooks on the neck's gate modules
(``neck.gates[L]``). The image runs whole (``test_cfg.mode='whole'``), so
each level has one gate map.
"""
import argparse
import os
import os.path as osp

import cv2
import mmcv
import numpy as np
import torch
from mmengine.config import ConfigDict, DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write the gate maps of a GFF model for one image (GFF '
        'paper, Fig. 7) through forward hooks.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='model config file')
    parser.add_argument(
        'checkpoint', help='checkpoint file ("none": random weights)')
    parser.add_argument('image', help='image file')
    parser.add_argument(
        '--out-dir',
        default=None,
        help="folder for the PNGs; None: the image's folder")
    parser.add_argument(
        '--zero-gate',
        type=int,
        action='append',
        default=[],
        help='also predict with this level\'s gate set to 0 (repeatable)')
    parser.add_argument('--device', default='cpu', help='device')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    parser.add_argument(
        '--allow-partial',
        action='store_true',
        help='go on when the checkpoint fills less than 99%% of the '
        "model's parameters")
    return parser.parse_args(argv)


def find_gff_neck(model: torch.nn.Module):
    """The model's first :class:`GFFNeck` (with gates)."""
    from mmseg_gated.models.necks import GFFNeck
    necks = [m for m in model.modules() if isinstance(m, GFFNeck)]
    if not necks:
        raise ValueError('the model has no GFFNeck (is it a GFF config?)')
    neck = necks[0]
    if neck.gates is None:
        raise ValueError(f'GFFNeck(fusion={neck.fusion!r}) has no gates; '
                         "use a 'gff' or 'gated_fpn' model")
    return neck


def record_gates(neck, store: dict) -> list:
    """Forward hooks that keep each level's gate map in ``store``."""

    def hook(level):

        def fn(module, args, output):
            store.setdefault(level, []).append(output.detach().cpu())

        return fn

    return [g.register_forward_hook(hook(i)) for i, g in enumerate(neck.gates)]


def zero_gate(neck, level: int):
    """A forward hook that replaces the gate map of ``level`` by zeros."""
    return neck.gates[level].register_forward_hook(
        lambda module, args, output: torch.zeros_like(output))


def gate_to_png(gate: torch.Tensor, size) -> np.ndarray:
    """``1 x C x h x w`` gate in [0, 1] -> ``H x W x 3`` uint8 (jet, BGR)."""
    g = gate[0].float().mean(0).cpu().numpy()
    g = cv2.resize(g, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
    g8 = np.clip(g * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return cv2.applyColorMap(g8, cv2.COLORMAP_JET)


def colorize(label: np.ndarray, palette) -> np.ndarray:
    """Class map -> BGR image in the dataset's (RGB) palette."""
    palette = np.asarray(palette, dtype=np.uint8)
    out = palette[np.clip(label, 0, len(palette) - 1)]
    return out[..., ::-1]


def predict(model, image: str) -> np.ndarray:
    from mmseg.apis import inference_model
    result = inference_model(model, image)
    return result.pred_sem_seg.data[0].cpu().numpy().astype(np.int64)


def main(argv=None):
    args = parse_args(argv)
    import mmseg_gated  # noqa: F401
    from mmseg_gated.utils import init_tool_model
    model = init_tool_model(args.config, args.checkpoint, args.device,
                            args.allow_partial, args.cfg_options)
    model.test_cfg = ConfigDict(model.test_cfg or {}, mode='whole')
    neck = find_gff_neck(model)
    for level in args.zero_gate:
        if not 0 <= level < neck.num_levels:
            raise ValueError(f'--zero-gate {level}: the GFFNeck has '
                             f'{neck.num_levels} levels (0..'
                             f'{neck.num_levels - 1})')
    image = mmcv.imread(args.image)
    h, w = image.shape[:2]
    out_dir = args.out_dir or osp.dirname(osp.abspath(args.image))
    os.makedirs(out_dir, exist_ok=True)
    stem = osp.splitext(osp.basename(args.image))[0]

    def path(name):
        return osp.join(out_dir, f'{stem}_{name}.png')

    gates = {}
    handles = record_gates(neck, gates)
    pred = predict(model, args.image)
    for handle in handles:
        handle.remove()
    for level in range(neck.num_levels):
        g = gates[level][-1]
        cv2.imwrite(path(f'gate_l{level}'), gate_to_png(g, (h, w)))
        print(f'level {level} gate: {tuple(g.shape[2:])} map, mean '
              f'{g.mean():.3f}, min {g.min():.3f}, max {g.max():.3f}')
    meta = getattr(model, 'dataset_meta', None) or {}
    palette = meta.get('palette')
    if palette is None:
        rng = np.random.default_rng(0)
        palette = rng.integers(0, 255, (256, 3)).tolist()
    cv2.imwrite(path('pred'), colorize(pred, palette))
    for level in args.zero_gate:
        handle = zero_gate(neck, level)
        try:
            pred_z = predict(model, args.image)
        finally:
            handle.remove()
        cv2.imwrite(path(f'pred_zero_l{level}'), colorize(pred_z, palette))
        changed = image.copy()
        changed[pred_z != pred] = (0, 0, 255)
        cv2.imwrite(path(f'changed_zero_l{level}'), changed)
        print(f'level {level} gate = 0: {(pred_z != pred).mean():.2%} of '
              'pixels change')
    print(f'wrote {neck.num_levels} gate maps to {out_dir}')


if __name__ == '__main__':
    main()
