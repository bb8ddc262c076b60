# Copyright (c) mmseg_gated contributors. All rights reserved.
"""GSTO gate maps: every gated fuse path of every HR module, the stage
transitions' gates and any other :class:`SpatialGate`, read through
forward hooks."""
import os
import os.path as osp
import re
from collections import OrderedDict
from typing import Optional

import mmcv
import numpy as np
import torch
from mmengine.config import ConfigDict

from .drawing import heatmap, image_tiles, tile
from .hook_recorder import HookRecorder

TILE_HEIGHT = 96


def gate_name(path: str) -> str:
    """File-name label of the gate module at ``path`` (a name from
    ``model.named_modules()``): ``stage{S}_m{M}_b{j}_to_b{i}`` for
    ``stageS.M.gate_layers.i.j`` (the gate on branch ``j`` before it is
    resampled into branch ``i``), ``transition{K}`` for
    ``transition_gateK``, else the path with ``_`` separators."""
    m = re.search(r'stage(\d+)\.(\d+)\.gate_layers\.(\d+)\.(\d+)$', path)
    if m:
        s, mod, i, j = m.groups()
        return f'stage{s}_m{mod}_b{j}_to_b{i}'
    m = re.search(r'transition_gate(\d+)(\.gate)?$', path)
    if m:
        return f'transition{m.group(1)}'
    return re.sub(r'[^0-9A-Za-z]+', '_', path).strip('_')


class GSTOGateRecorder(HookRecorder):
    """Records the map of every :class:`SpatialGate` of a model (GSTO's
    gated fuse paths ``GSTOHRModule.gate_layers[i][j]``, the backbone's
    ``transition_gate{K}``, GSTO-PPM / GSTO-ASPP gates) through forward
    hooks.

    Args:
        model (nn.Module): The model.

    Attributes:
        gates (OrderedDict[str, nn.Module]): The gates by
            :func:`gate_name`, in module order.
        maps (dict[str, Tensor]): The ``B x C x h x w`` float gate map of
            each gate that ran (the last pass; on the CPU).
    """

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        from mmseg_gated.models.layers import SpatialGate
        self.gates = OrderedDict((gate_name(path), module)
                                 for path, module in model.named_modules()
                                 if isinstance(module, SpatialGate))
        if not self.gates:
            raise ValueError('the model has no gates (SpatialGate modules); '
                             'is it a GSTO config?')
        self.maps = {}

    def reset(self) -> None:
        self.maps = {}

    def hooks(self):

        def keep(name):

            def fn(module, args, output):
                self.maps[name] = output.detach().float().cpu()

            return fn

        return [(m, keep(n), 'forward') for n, m in self.gates.items()]


def tile_label(name: str) -> str:
    """Short label of a gate on the overview (``s{S}m{M} j>i``)."""
    m = re.match(r'stage(\d+)_m(\d+)_b(\d+)_to_b(\d+)$', name)
    if m:
        return 's{}m{} {}>{}'.format(*m.groups())
    return name[-14:]


def gsto_overview(pngs: dict, image: np.ndarray) -> np.ndarray:
    """One row per HR module (and one for the other gates): the image,
    then the module's gate maps, labelled, ``TILE_HEIGHT`` high."""
    rows = OrderedDict()
    for name, png in pngs.items():
        m = re.match(r'(stage\d+_m\d+)_', name)
        rows.setdefault(m.group(1) if m else 'other', []).append(
            (tile_label(name), png))
    return tile([image_tiles(image, r, TILE_HEIGHT) for r in rows.values()])


def visualize_gsto(model,
                   image: str,
                   out_dir: Optional[str] = None,
                   stretch: bool = False) -> dict:
    """Run ``model`` on ``image`` and write, named after it (``STEM``),
    into ``out_dir`` (default: the image's folder)
    ``STEM_gsto_{gate name}.png`` (gate, channel mean, at the image's size;
    jet on 0..1, or min..max with ``stretch``) and
    ``STEM_gsto_overview.png``. Sets ``test_cfg.mode`` to ``'whole'``.

    Returns:
        dict: ``maps`` ({name: ``1 x C x h x w``}, in module order; None
        for a gate built but not run, e.g. of an unused branch),
        ``out_dir``.
    """
    from mmseg.apis import inference_model
    model.test_cfg = ConfigDict(model.test_cfg or {}, mode='whole')
    img = mmcv.imread(image)
    out_dir = out_dir or osp.dirname(osp.abspath(image))
    os.makedirs(out_dir, exist_ok=True)
    stem = osp.splitext(osp.basename(image))[0]
    with GSTOGateRecorder(model) as rec:
        inference_model(model, image)
    pngs = OrderedDict()
    for name in rec.gates:
        if name in rec.maps:
            pngs[name] = heatmap(rec.maps[name][0].mean(0).numpy(),
                                 img.shape[:2], stretch)
            mmcv.imwrite(pngs[name],
                         osp.join(out_dir, f'{stem}_gsto_{name}.png'))
    mmcv.imwrite(
        gsto_overview(pngs, img), osp.join(out_dir,
                                           f'{stem}_gsto_overview.png'))
    maps = OrderedDict((n, rec.maps.get(n)) for n in rec.gates)
    return dict(maps=maps, out_dir=out_dir)
