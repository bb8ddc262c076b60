# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Write what a Gated-SCNN model computes for one image as PNGs: the
boundary map of the shape stream, the image gradients (Canny) it fuses,
the fused boundary map that enters the ASPP, and the attention map of
every gated convolutional layer (Takikawa et al., ICCV 2019, Eq. 1-2,
Fig. 2 and Fig. 6).

    python tools/analysis_tools/visualize_gscnn.py CONFIG CHECKPOINT IMAGE \
        [--out-dir DIR] [--allow-partial]

``CHECKPOINT`` may be ``none`` (random weights). The model is unmodified:
the maps are read by forward hooks on its modules (the ``gate`` of every
:class:`GatedConvLayer` gives ``alpha_t`` of Eq. 1, the head's ``edge_out``
conv the boundary logits, the input and output of its ``gradient_fuse``
conv the Canny map and the fused map) and the hooks are removed afterwards.

Outputs (every PNG at the size of IMAGE; the maps are computed at the
model's input size, cropped to the resized image and resized back):

- ``edge.png``: ``sigmoid`` of the boundary logits (the map supervised by
  the boundary BCE, Eq. 3), jet colour map, 0 blue .. 1 red.
- ``gradients.png``: the Canny map the head computed (white = edge); only
  for heads with ``use_gradients=True``.
- ``fused.png``: the boundary map fed to the fusion ASPP (``sigmoid`` of
  the 1x1 conv over boundary map and gradients); only with gradients.
- ``gcl{t}.png``: attention ``alpha_t`` of GCL ``t``, in the order of the
  shape stream (GCL 1 is gated by the shallowest regular-stream feature,
  ``gate_in_index[0]``), jet, 0 blue .. 1 red.
- ``pred.png``: the prediction in the dataset's palette.
- ``overview.png``: image, prediction and all maps side by side, labelled.

Each map's minimum, mean and maximum are printed: the colour scale is the
fixed range [0, 1], not stretched. Configs with slide inference are run
whole (one forward pass, so that the maps cover the image once).
"""
import argparse
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import cv2
import mmcv
import numpy as np
import torch
from mmengine.config import Config, DictAction

import mmseg_gated  # noqa: F401
from mmseg_gated.models.layers.gated_conv import GatedConvLayer


def parse_args():
    parser = argparse.ArgumentParser(
        description='Write the Gated-SCNN boundary map, image gradients, '
        'fused boundary map and GCL attention maps of one image as PNGs '
        '(forward hooks on the unmodified model).')
    parser.add_argument('config', help='a Gated-SCNN config')
    parser.add_argument(
        'checkpoint', help='checkpoint file, or "none" for random weights')
    parser.add_argument('image', help='image file')
    parser.add_argument(
        '--out-dir',
        default=None,
        help='output folder (default: IMAGE_STEM_gscnn beside the image)')
    parser.add_argument(
        '--device', default='cpu', help='device (default: cpu)')
    parser.add_argument(
        '--allow-partial',
        action='store_true',
        help='go on when the checkpoint fills less than 99%% of the model '
        '(the rest stays random; default: stop with an error)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, xxx=yyy format (default: none)')
    return parser.parse_args()


class GSCNNMapRecorder:
    """Forward hooks that keep the maps of one Gated-SCNN forward pass.

    Hooks (on modules of the unmodified model; :meth:`remove` takes them
    off again):

    - ``gate`` of every :class:`GatedConvLayer` inside the decode head,
      in order: its output is the attention ``alpha_t`` (Eq. 1), stored as
      ``gcl1``, ``gcl2``, ...
    - the head's ``edge_out`` conv: the boundary logits; stored as
      ``edge`` after a sigmoid.
    - the head's ``gradient_fuse`` conv (heads with image gradients): its
      input's second channel is the Canny map (``gradients``), the sigmoid
      of its output the map fed to the ASPP (``fused``).

    Each map is stored as a float32 ``H x W`` numpy array of the first
    image of the batch (the last call wins).

    Args:
        head (nn.Module): The decode head of a Gated-SCNN model
            (:class:`GSCNNHead` or :class:`GSCNNOfficialHead`).
    """

    def __init__(self, head: torch.nn.Module) -> None:
        self.maps: Dict[str, np.ndarray] = OrderedDict()
        self.handles = []
        gcls = [m for m in head.modules() if isinstance(m, GatedConvLayer)]
        edge_out = getattr(head, 'edge_out', None)
        if not gcls or not isinstance(edge_out, torch.nn.Module):
            raise ValueError(
                f'the decode head {type(head).__name__} is not a Gated-SCNN '
                'head: it needs GatedConvLayer modules and an edge_out conv '
                '(use a configs/gscnn/gscnn* config)')
        self.num_gcls = len(gcls)
        for t, gcl in enumerate(gcls, 1):
            self.handles.append(
                gcl.gate.register_forward_hook(self._keep(f'gcl{t}')))
        self.handles.append(
            edge_out.register_forward_hook(self._keep('edge', sigmoid=True)))
        fuse = getattr(head, 'gradient_fuse', None)
        self.has_gradients = isinstance(fuse, torch.nn.Module)
        if self.has_gradients:
            self.handles.append(fuse.register_forward_hook(self._fuse_hook))

    @staticmethod
    def _first(x: torch.Tensor, channel: int = 0) -> np.ndarray:
        return x[0, channel].detach().float().cpu().numpy()

    def _keep(self, name: str, sigmoid: bool = False):

        def hook(module, inputs, output):
            out = torch.sigmoid(output) if sigmoid else output
            self.maps[name] = self._first(out)

        return hook

    def _fuse_hook(self, module, inputs, output):
        self.maps['gradients'] = self._first(inputs[0], channel=1)
        self.maps['fused'] = self._first(torch.sigmoid(output))

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def map_to_original(m: np.ndarray, img_shape: Tuple[int, int],
                    ori_shape: Tuple[int, int], nearest: bool) -> np.ndarray:
    """Crop a map at the model's input size to the resized image
    (``img_shape``; the rest is padding) and resize it to ``ori_shape``."""
    m = m[:img_shape[0], :img_shape[1]]
    interp = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    return cv2.resize(m, (ori_shape[1], ori_shape[0]), interpolation=interp)


def colorize_map(m: np.ndarray) -> np.ndarray:
    """A map in [0, 1] -> ``H x W x 3`` uint8 BGR, jet (0 blue, 1 red)."""
    m8 = np.clip(m * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return cv2.applyColorMap(m8, cv2.COLORMAP_JET)


def binary_map(m: np.ndarray) -> np.ndarray:
    """A 0/1 map -> white on black, ``H x W x 3`` uint8."""
    m8 = np.where(m > 0.5, 255, 0).astype(np.uint8)
    return cv2.cvtColor(m8, cv2.COLOR_GRAY2BGR)


def colorize_label(label: np.ndarray, palette) -> np.ndarray:
    palette = np.asarray(palette, dtype=np.uint8)
    return palette[np.clip(label, 0, len(palette) - 1)][..., ::-1]


def overview(tiles: List[Tuple[str, np.ndarray]],
             columns: int = 4,
             max_width: int = 480) -> np.ndarray:
    """Labelled tiles (all of one size) in a grid."""
    h, w = tiles[0][1].shape[:2]
    scale = min(1.0, max_width / w)
    th, tw = max(1, round(h * scale)), max(1, round(w * scale))
    bar = 22
    cells = []
    for name, img in tiles:
        cell = np.full((th + bar, tw, 3), 255, np.uint8)
        cell[bar:] = cv2.resize(img, (tw, th), interpolation=cv2.INTER_AREA)
        cv2.putText(cell, name, (4, bar - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                    (0, 0, 0), 1, cv2.LINE_AA)
        cells.append(cell)
    while len(cells) % columns:
        cells.append(np.full_like(cells[0], 255))
    rows = [
        np.concatenate(cells[i:i + columns], axis=1)
        for i in range(0, len(cells), columns)
    ]
    return np.concatenate(rows, axis=0)


def load_config(path: str, options: Optional[dict] = None) -> Config:
    cfg = Config.fromfile(path)
    if options:
        cfg.merge_from_dict(options)
    test_cfg = cfg.model.get('test_cfg') or {}
    if test_cfg.get('mode', 'whole') != 'whole':
        print(f'{test_cfg["mode"]} inference -> whole (one forward pass)')
        cfg.model.test_cfg = dict(test_cfg, mode='whole')
    return cfg


def visualize(model, image_path: str, out_dir: str) -> Dict[str, str]:
    """Run ``model`` on ``image_path`` with the hooks on and write the
    PNGs; return ``{name: path}``."""
    from mmseg.apis import inference_model
    image = mmcv.imread(image_path)
    if image is None:
        raise ValueError(f'cannot read the image {image_path!r}')
    ori_shape = image.shape[:2]
    with GSCNNMapRecorder(model.decode_head) as recorder:
        result = inference_model(model, image_path)
    if 'edge' not in recorder.maps:
        raise RuntimeError('the hooks saw no forward pass of the head')
    img_shape = tuple(result.metainfo['img_shape'][:2])
    os.makedirs(out_dir, exist_ok=True)
    written = OrderedDict()
    tiles = [('image', image)]

    pred = result.pred_sem_seg.data[0].cpu().numpy().astype(np.int64)
    palette = (getattr(model, 'dataset_meta', None) or {}).get('palette')
    if palette is None:
        palette = np.random.default_rng(0).integers(0, 255, (256, 3))
    written['pred'] = colorize_label(pred, palette)
    tiles.append(('prediction', written['pred']))

    names = ['gradients', 'edge', 'fused'
             ] + [f'gcl{t}' for t in range(1, recorder.num_gcls + 1)]
    for name in names:
        if name not in recorder.maps:
            continue
        raw = recorder.maps[name]
        m = map_to_original(
            raw, img_shape, ori_shape, nearest=name == 'gradients')
        if name == 'gradients':
            written[name] = binary_map(m)
            print(f'gradients: {raw.mean():.2%} of the pixels are Canny '
                  'edges')
        else:
            written[name] = colorize_map(m)
            print(f'{name}: min {raw.min():.3f} mean {raw.mean():.3f} max '
                  f'{raw.max():.3f}')
        tiles.append((name, written[name]))
    if not recorder.has_gradients:
        print('the head fuses no image gradients (use_gradients=False): no '
              'gradients.png / fused.png')
    written['overview'] = overview(tiles)
    paths = OrderedDict()
    for name, img in written.items():
        paths[name] = osp.join(out_dir, f'{name}.png')
        cv2.imwrite(paths[name], img)
    return paths


def main():
    args = parse_args()
    from mmseg_gated.utils import init_tool_model
    if not osp.isfile(args.image):
        raise SystemExit(f'error: no image file {args.image!r}')
    model = init_tool_model(
        load_config(args.config, args.cfg_options), args.checkpoint,
        args.device, args.allow_partial)
    out_dir = args.out_dir
    if out_dir is None:
        stem = osp.splitext(osp.basename(args.image))[0]
        out_dir = osp.join(osp.dirname(args.image) or '.', f'{stem}_gscnn')
    try:
        paths = visualize(model, args.image, out_dir)
    except ValueError as e:
        raise SystemExit(f'error: {e}') from None
    print(f'wrote {len(paths)} PNGs to {out_dir}: '
          f'{", ".join(osp.basename(p) for p in paths.values())}')


if __name__ == '__main__':
    main()
