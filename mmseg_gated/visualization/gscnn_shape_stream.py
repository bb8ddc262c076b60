# Copyright (c) mmseg_gated contributors. All rights reserved.
"""What the Gated-SCNN shape stream computes for one image (Takikawa et
al., ICCV 2019, Eq. 1-2, Fig. 2 and Fig. 6), read through forward
hooks."""
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict

import cv2
import mmcv
import numpy as np
import torch

from .drawing import (binary_map, caption, colorize_labels, crop_resize, grid,
                      heatmap, resolve_palette)
from .hook_recorder import HookRecorder


class GSCNNShapeStreamRecorder(HookRecorder):
    """Records the maps of a Gated-SCNN head's shape stream through forward
    hooks:

    - the ``gate`` of every :class:`GatedConvLayer` of the head, in order:
      its output is the attention ``alpha_t`` (Eq. 1), kept as ``gcl1``,
      ``gcl2``, ...;
    - the head's ``edge_out`` conv: the boundary logits, kept as ``edge``
      after a sigmoid;
    - the head's ``gradient_fuse`` conv (heads with image gradients): its
      input's second channel is the Canny map (``gradients``), the sigmoid
      of its output the map fed to the ASPP (``fused``).

    Args:
        model (nn.Module): A Gated-SCNN segmentor or its decode head
            (:class:`GSCNNHead` or :class:`GSCNNOfficialHead`).

    Attributes:
        maps (OrderedDict[str, np.ndarray]): Each map of the first image of
            the batch, float32 ``H x W`` (the last pass).
        num_gcls (int): Number of gated convolutional layers.
        has_gradients (bool): Whether the head fuses image gradients.
    """

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        from mmseg_gated.models.layers.gated_conv import GatedConvLayer
        head = getattr(model, 'decode_head', model)
        self.gcls = [
            m for m in head.modules() if isinstance(m, GatedConvLayer)
        ]
        self.edge_out = getattr(head, 'edge_out', None)
        if not self.gcls or not isinstance(self.edge_out, torch.nn.Module):
            raise ValueError(
                f'the decode head {type(head).__name__} is not a Gated-SCNN '
                'head: it needs GatedConvLayer modules and an edge_out conv '
                '(use a configs/gscnn/gscnn* config)')
        self.num_gcls = len(self.gcls)
        fuse = getattr(head, 'gradient_fuse', None)
        self.fuse = fuse if isinstance(fuse, torch.nn.Module) else None
        self.has_gradients = self.fuse is not None
        self.maps: Dict[str, np.ndarray] = OrderedDict()

    def reset(self) -> None:
        self.maps = OrderedDict()

    @staticmethod
    def _first(x: torch.Tensor, channel: int = 0) -> np.ndarray:
        return x[0, channel].detach().float().cpu().numpy()

    def _keep(self, name: str, sigmoid: bool = False):

        def hook(module, args, output):
            out = torch.sigmoid(output) if sigmoid else output
            self.maps[name] = self._first(out)

        return hook

    def _fuse_hook(self, module, args, output):
        self.maps['gradients'] = self._first(args[0], channel=1)
        self.maps['fused'] = self._first(torch.sigmoid(output))

    def hooks(self):
        hooks = [(gcl.gate, self._keep(f'gcl{t}'), 'forward')
                 for t, gcl in enumerate(self.gcls, 1)]
        hooks.append((self.edge_out, self._keep('edge', True), 'forward'))
        if self.fuse is not None:
            hooks.append((self.fuse, self._fuse_hook, 'forward'))
        return hooks


def visualize_gscnn(model, image: str, out_dir: str) -> dict:
    """Run ``model`` on ``image`` and write into ``out_dir``, every PNG at
    the image's size (maps cropped to the resized image and resized back):
    ``edge.png`` (sigmoid of the boundary logits), ``gradients.png`` (the
    Canny map, white = edge), ``fused.png``, ``gcl{t}.png`` (jet, fixed
    scale 0 blue .. 1 red), ``pred.png`` (palette) and ``overview.png``
    (image, prediction and all maps, labelled, four a row).

    Returns:
        dict: ``paths`` ({name: PNG path}), ``maps`` ({name: the raw
        ``h x w`` map at the network input's size}), ``has_gradients``.
    """
    from mmseg.apis import inference_model
    img = mmcv.imread(image)
    if img is None:
        raise ValueError(f'cannot read the image {image!r}')
    ori_shape = img.shape[:2]
    with GSCNNShapeStreamRecorder(model) as rec:
        result = inference_model(model, image)
    if 'edge' not in rec.maps:
        raise RuntimeError('the hooks saw no forward pass of the head')
    img_shape = tuple(result.metainfo['img_shape'][:2])
    pred = result.pred_sem_seg.data[0].cpu().numpy().astype(np.int64)
    pngs = OrderedDict(pred=colorize_labels(pred, resolve_palette(model)))
    maps = OrderedDict()
    names = ['gradients', 'edge', 'fused'
             ] + [f'gcl{t}' for t in range(1, rec.num_gcls + 1)]
    for name in names:
        if name in rec.maps:
            maps[name] = rec.maps[name]
            m = crop_resize(maps[name], img_shape, ori_shape,
                            name == 'gradients')
            pngs[name] = binary_map(m) if name == 'gradients' else heatmap(m)
    h, w = ori_shape
    scale = min(1.0, 480 / w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    tiles = [('image', img), ('prediction', pngs['pred'])
             ] + [(n, png) for n, png in pngs.items() if n != 'pred']
    pngs['overview'] = grid([
        caption(
            cv2.resize(png, size, interpolation=cv2.INTER_AREA), name, 22,
            (4, 16), 0.5) for name, png in tiles
    ], 4)
    os.makedirs(out_dir, exist_ok=True)
    paths = OrderedDict()
    for name, png in pngs.items():
        paths[name] = osp.join(out_dir, f'{name}.png')
        mmcv.imwrite(png, paths[name])
    return dict(paths=paths, maps=maps, has_gradients=rec.has_gradients)
