# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Write the GFF gate maps of one image as PNGs (GFF paper, Fig. 7a) and,
with ``--zero-gate``, the prediction with a level's gate forced to zero and
the pixels that changed (Fig. 7b).

    python tools/analysis_tools/visualize_gates.py CONFIG CHECKPOINT IMAGE \
        --out-dir work_dirs/gates [--zero-gate 0 --zero-gate 3]

Outputs in ``--out-dir``: ``gate_l{L}.png`` (level L's gate, mean over gate
channels, resized to the image, jet colour map, 0 blue .. 1 red),
``pred.png`` (palette colours), and per zeroed level ``pred_zero_l{L}.png``
and ``changed_zero_l{L}.png`` (changed pixels in red over the image).
Works with any model containing a :class:`GFFNeck` (inside ``GFFHead`` or
as the segmentor's neck).
"""
import argparse
import os
import os.path as osp

import cv2
import mmcv
import numpy as np
import torch

import mmseg_gated  # noqa: F401
from mmseg_gated.models.necks import GFFNeck
from mmseg_gated.utils import enable_trusted_checkpoint_loading


def parse_args():
    parser = argparse.ArgumentParser(description='Write GFF gate maps')
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='checkpoint ("none" for random)')
    parser.add_argument('image')
    parser.add_argument('--out-dir', default='work_dirs/gates')
    parser.add_argument('--zero-gate', type=int, action='append', default=[],
                        help='level whose gate is set to 0 (repeatable)')
    parser.add_argument('--device', default='cpu')
    return parser.parse_args()


def find_gff_neck(model: torch.nn.Module) -> GFFNeck:
    necks = [m for m in model.modules() if isinstance(m, GFFNeck)]
    if not necks:
        raise ValueError('the model has no GFFNeck (is it a GFF config?)')
    return necks[0]


def gate_to_png(gate: torch.Tensor, size) -> np.ndarray:
    """``1 x C x h x w`` gate in [0, 1] -> ``H x W x 3`` uint8 (jet)."""
    g = gate[0].float().mean(0).cpu().numpy()
    g = cv2.resize(g, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
    g8 = np.clip(g * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return cv2.applyColorMap(g8, cv2.COLORMAP_JET)


def colorize(label: np.ndarray, palette) -> np.ndarray:
    palette = np.asarray(palette, dtype=np.uint8)
    out = palette[np.clip(label, 0, len(palette) - 1)]
    return out[..., ::-1]  # RGB palette -> BGR for cv2


def image_pipeline(cfg):
    """The config's test pipeline reduced to loading an image file, its
    resizes and packing (datasets such as the synthetic one generate images
    instead of loading them)."""
    steps = cfg.get('test_pipeline') or []
    resizes = [dict(t) for t in steps if t.get('type') == 'Resize']
    return [dict(type='LoadImageFromFile')] + resizes + \
        [dict(type='PackSegInputs')]


def run(model, image):
    from mmseg.apis import inference_model
    result = inference_model(model, image)
    return result.pred_sem_seg.data[0].cpu().numpy().astype(np.int64)


def main():
    args = parse_args()
    enable_trusted_checkpoint_loading()
    from mmseg.apis import init_model
    ckpt = None if args.checkpoint.lower() == 'none' else args.checkpoint
    model = init_model(args.config, ckpt, device=args.device)
    model.cfg.test_pipeline = image_pipeline(model.cfg)
    neck = find_gff_neck(model)
    image = mmcv.imread(args.image)
    h, w = image.shape[:2]
    os.makedirs(args.out_dir, exist_ok=True)

    neck.forced_gates = {}
    pred = run(model, args.image)
    for level, gate in enumerate(neck.last_gates):
        if gate is None:
            raise ValueError(f'fusion {neck.fusion!r} has no gates')
        cv2.imwrite(osp.join(args.out_dir, f'gate_l{level}.png'),
                    gate_to_png(gate, (h, w)))
    meta = getattr(model, 'dataset_meta', None) or {}
    palette = meta.get('palette')
    if palette is None:
        rng = np.random.default_rng(0)
        palette = rng.integers(0, 255, (256, 3)).tolist()
    cv2.imwrite(osp.join(args.out_dir, 'pred.png'), colorize(pred, palette))
    for level in args.zero_gate:
        if not 0 <= level < neck.num_levels:
            raise ValueError(f'--zero-gate {level}: the neck has '
                             f'{neck.num_levels} levels')
        neck.forced_gates = {level: 0.0}
        pred_z = run(model, args.image)
        cv2.imwrite(osp.join(args.out_dir, f'pred_zero_l{level}.png'),
                    colorize(pred_z, palette))
        changed = image.copy()
        changed[pred_z != pred] = (0, 0, 255)
        cv2.imwrite(osp.join(args.out_dir, f'changed_zero_l{level}.png'),
                    changed)
        print(f'level {level} gate = 0: {(pred_z != pred).mean():.2%} of '
              'pixels change')
    neck.forced_gates = {}
    print(f'wrote {len(neck.last_gates)} gate maps to {args.out_dir}')


if __name__ == '__main__':
    main()
