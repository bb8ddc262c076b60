# Copyright (c) mmseg_gated contributors. All rights reserved.
"""GFF gate maps (GFF paper, Fig. 7a) and predictions with a gate set to
zero (Fig. 7b), read from :class:`GFFNeck` through forward hooks."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import mmcv
import numpy as np
import torch
import torch.nn as nn
from mmengine.config import ConfigDict

from .drawing import colorize_labels, heatmap, resolve_palette
from .hook_recorder import HookRecorder


def find_gff_neck(model: nn.Module):
    """The model's first :class:`GFFNeck` with gates (``fusion='gff'`` or
    ``'gated_fpn'``; as the segmentor's neck or inside a GFF head)."""
    from mmseg_gated.models.necks import GFFNeck
    necks = [m for m in model.modules() if isinstance(m, GFFNeck)]
    if not necks:
        raise ValueError('the model has no GFFNeck (is it a GFF config?)')
    neck = necks[0]
    if neck.gates is None:
        raise ValueError(f'GFFNeck(fusion={neck.fusion!r}) has no gates; '
                         "use a 'gff' or 'gated_fpn' model")
    return neck


class GFFGateRecorder(HookRecorder):
    """Records the gate map ``G_l = sigmoid(conv1x1(X_l))`` of every level
    of a :class:`GFFNeck` (GFF paper, Eq. 5), and optionally replaces the
    gates of some levels by zeros (Fig. 7b), through forward hooks on
    ``neck.gates[l]``.

    Args:
        model (nn.Module): A model holding a gated :class:`GFFNeck`, or
            the neck.
        zero_levels (Sequence[int]): Levels whose gate map the hooks set to
            zero while recording. Default: ().

    Attributes:
        gates (dict[int, list[Tensor]]): Per level, the ``B x C x h x w``
            gate map of each forward pass (on the CPU; after zeroing).
    """

    def __init__(self, model: nn.Module, zero_levels: Sequence[int] = ()):
        super().__init__()
        self.neck = find_gff_neck(model)
        for level in zero_levels:
            if not 0 <= level < self.neck.num_levels:
                raise ValueError(f'gate level {level}: the GFFNeck has '
                                 f'{self.neck.num_levels} levels (0..'
                                 f'{self.neck.num_levels - 1})')
        self.zero_levels = tuple(zero_levels)
        self.gates: Dict[int, List[torch.Tensor]] = {}

    def reset(self) -> None:
        self.gates = {}

    def hooks(self):

        def zero(module, args, output):
            return torch.zeros_like(output)

        def keep(level):

            def fn(module, args, output):
                self.gates.setdefault(level, []).append(output.detach().cpu())

            return fn

        # zeroing first: the recorded map is the one the neck uses
        return [
            (self.neck.gates[i], zero, 'forward') for i in self.zero_levels
        ] + [(g, keep(i), 'forward') for i, g in enumerate(self.neck.gates)]


def _predict(model, image: str) -> np.ndarray:
    from mmseg.apis import inference_model
    result = inference_model(model, image)
    return result.pred_sem_seg.data[0].cpu().numpy().astype(np.int64)


def visualize_gff(model: nn.Module,
                  image: str,
                  out_dir: Optional[str] = None,
                  zero_levels: Optional[Sequence[int]] = None) -> dict:
    """Run ``model`` on the whole ``image`` and write, named after it
    (``STEM``), into ``out_dir`` (default: the image's folder):
    ``STEM_gate_l{L}.png`` (level L's gate, channel mean, at the image's
    size, jet 0 blue .. 1 red), ``STEM_pred.png`` (palette) and, per zeroed
    level, ``STEM_pred_zero_l{L}.png`` and ``STEM_changed_zero_l{L}.png``
    (changed pixels in red over the image). Sets ``test_cfg.mode`` to
    ``'whole'``.

    Returns:
        dict: ``gates`` ({level: ``1 x C x h x w``}), ``changed`` ({zeroed
        level: fraction of pixels whose class changes}), ``out_dir``.
    """
    zero_levels = list(zero_levels or [])
    GFFGateRecorder(model, zero_levels)  # checks the levels before running
    model.test_cfg = ConfigDict(model.test_cfg or {}, mode='whole')
    img = mmcv.imread(image)
    out_dir = out_dir or osp.dirname(osp.abspath(image))
    os.makedirs(out_dir, exist_ok=True)
    stem = osp.splitext(osp.basename(image))[0]

    def write(name, png):
        mmcv.imwrite(png, osp.join(out_dir, f'{stem}_{name}.png'))

    with GFFGateRecorder(model) as rec:
        pred = _predict(model, image)
    gates = {level: maps[-1] for level, maps in rec.gates.items()}
    for level, g in gates.items():
        write(f'gate_l{level}',
              heatmap(g[0].float().mean(0).numpy(), img.shape[:2]))
    palette = resolve_palette(model)
    write('pred', colorize_labels(pred, palette))
    changed = {}
    for level in zero_levels:
        with GFFGateRecorder(model, [level]):
            pred_z = _predict(model, image)
        write(f'pred_zero_l{level}', colorize_labels(pred_z, palette))
        marked = img.copy()
        marked[pred_z != pred] = (0, 0, 255)
        write(f'changed_zero_l{level}', marked)
        changed[level] = float((pred_z != pred).mean())
    return dict(gates=gates, changed=changed, out_dir=out_dir)
