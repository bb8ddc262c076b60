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
and max of each gate are printed.

The model is not modified: the maps are read by forward hooks on the
:class:`SpatialGate` modules (``GSTOHRModule.gate_layers[i][j]``, the
backbone's ``transition_gate{K}``, ...). The image runs whole
(``test_cfg.mode='whole'``), so each gate has one map.
"""
import argparse
import os
import os.path as osp
import re
from collections import OrderedDict

import cv2
import mmcv
import numpy as np
import torch
from mmengine.config import ConfigDict, DictAction

TILE_HEIGHT = 96


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write the GSTO gate maps of every fuse path of a model '
        'for one image, through forward hooks.',
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
        '--stretch',
        action='store_true',
        help='colour each map from its min to its max instead of 0..1')
    parser.add_argument('--device', default='cpu', help='device')
    parser.add_argument(
        '--allow-partial',
        action='store_true',
        help='go on when the checkpoint fills less than 99%% of the '
        "model's parameters")
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    return parser.parse_args(argv)


def gate_name(path: str) -> str:
    """File-name label of the gate module at ``path`` (a name from
    ``model.named_modules()``)."""
    m = re.search(r'stage(\d+)\.(\d+)\.gate_layers\.(\d+)\.(\d+)$', path)
    if m:
        s, mod, i, j = m.groups()
        return f'stage{s}_m{mod}_b{j}_to_b{i}'
    m = re.search(r'transition_gate(\d+)(\.gate)?$', path)
    if m:
        return f'transition{m.group(1)}'
    return re.sub(r'[^0-9A-Za-z]+', '_', path).strip('_')


def find_gates(model: torch.nn.Module) -> 'OrderedDict[str, torch.nn.Module]':
    """Every :class:`SpatialGate` of the model, by file-name label."""
    from mmseg_gated.models.layers import SpatialGate
    gates = OrderedDict()
    for path, module in model.named_modules():
        if isinstance(module, SpatialGate):
            gates[gate_name(path)] = module
    if not gates:
        raise ValueError('the model has no gates (SpatialGate modules); is '
                         'it a GSTO config?')
    return gates


def record(gates: dict, store: dict) -> list:
    """Forward hooks that keep each gate's map in ``store``."""

    def hook(name):

        def fn(module, args, output):
            store[name] = output.detach().float().cpu()

        return fn

    return [m.register_forward_hook(hook(n)) for n, m in gates.items()]


def gate_to_png(gate: torch.Tensor, size, stretch: bool = False):
    """``1 x C x h x w`` gate -> ``H x W x 3`` uint8 (jet, BGR)."""
    g = gate[0].mean(0).numpy()
    if stretch:
        lo, hi = float(g.min()), float(g.max())
        g = (g - lo) / (hi - lo) if hi > lo else np.zeros_like(g)
    g = cv2.resize(g, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
    g8 = np.clip(g * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return cv2.applyColorMap(g8, cv2.COLORMAP_JET)


def tile_label(name: str) -> str:
    m = re.match(r'stage(\d+)_m(\d+)_b(\d+)_to_b(\d+)$', name)
    if m:
        return 's{}m{} {}>{}'.format(*m.groups())
    return name[-14:]


def overview(pngs: dict, image: np.ndarray) -> np.ndarray:
    """One row per HR module (and one for the other gates), tiles labelled,
    the image first."""
    h, w = image.shape[:2]
    tw = max(1, round(w * TILE_HEIGHT / h))
    rows = OrderedDict()
    for name, png in pngs.items():
        m = re.match(r'(stage\d+_m\d+)_', name)
        rows.setdefault(m.group(1) if m else 'other', []).append(
            (tile_label(name), png))
    width = (1 + max(len(r) for r in rows.values())) * tw
    canvas = np.full((len(rows) * TILE_HEIGHT, width, 3), 255, np.uint8)
    thumb = cv2.resize(image, (tw, TILE_HEIGHT))
    for r, tiles in enumerate(rows.values()):
        y = r * TILE_HEIGHT
        canvas[y:y + TILE_HEIGHT, :tw] = thumb
        for c, (label, png) in enumerate(tiles, start=1):
            tile = cv2.resize(png, (tw, TILE_HEIGHT))
            cv2.putText(tile, label, (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.35,
                        (255, 255, 255), 1, cv2.LINE_AA)
            canvas[y:y + TILE_HEIGHT, c * tw:(c + 1) * tw] = tile
    return canvas


def main(argv=None):
    args = parse_args(argv)
    from mmseg.apis import inference_model

    import mmseg_gated  # noqa: F401
    from mmseg_gated.utils import init_tool_model
    model = init_tool_model(args.config, args.checkpoint, args.device,
                            args.allow_partial, args.cfg_options)
    model.test_cfg = ConfigDict(model.test_cfg or {}, mode='whole')
    gates = find_gates(model)
    image = mmcv.imread(args.image)
    h, w = image.shape[:2]
    out_dir = args.out_dir or osp.dirname(osp.abspath(args.image))
    os.makedirs(out_dir, exist_ok=True)
    stem = osp.splitext(osp.basename(args.image))[0]

    maps = {}
    handles = record(gates, maps)
    try:
        inference_model(model, args.image)
    finally:
        for handle in handles:
            handle.remove()
    pngs = OrderedDict()
    for name in gates:
        if name not in maps:  # built but not run (e.g. an unused branch)
            print(f'{name}: not run')
            continue
        g = maps[name]
        pngs[name] = gate_to_png(g, (h, w), args.stretch)
        cv2.imwrite(osp.join(out_dir, f'{stem}_gsto_{name}.png'), pngs[name])
        print(f'{name}: {tuple(g.shape[2:])} map, min {g.min():.3f}, mean '
              f'{g.mean():.3f}, max {g.max():.3f}')
    cv2.imwrite(
        osp.join(out_dir, f'{stem}_gsto_overview.png'), overview(pngs, image))
    print(f'wrote {len(pngs)} gate maps and an overview to {out_dir}')


if __name__ == '__main__':
    main()
