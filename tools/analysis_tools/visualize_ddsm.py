# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Where each DDSM samples, for given pixels and channels (DDSM paper,
Fig. 4b; Eq. 1-3).

    python tools/analysis_tools/visualize_ddsm.py CONFIG CHECKPOINT IMAGE \\
        [--pixel Y X [Y X ...]] [--channel C [C ...]] [--out-dir DIR] \\
        [--allow-partial] [--cfg-options ...]

CHECKPOINT may be ``none`` (random weights: the offset convs are
zero-initialised, so a random model samples the regular k x k grid, every
point with modulation sigmoid(0) = 0.5). The model runs once on the whole
image with the config's test pipeline; forward hooks on the offset and
modulation convs (``conv_offset``, ``conv_mask``) of every
:class:`DynamicSampler` inside a :class:`DDSM` record what it predicted.
The model is not modified.

PNGs, in ``--out-dir`` (default: ``STEM_ddsm/`` beside the image), one set
per DDSM (``NAME`` = its module path, e.g. ``decode_head_fusions_0``):

- ``NAME_spatial_y{Y}_x{X}.png``: the spatial branch (Eq. 2) at image pixel
  (Y, X): the blue cross is the pixel (the DDSM position nearest to it),
  the grey dots the regular k x k grid ``p + p_n`` at the DDSM's resolution,
  the red crosses the sampled points ``p + p_n + dp_n`` (Eq. 1), marker
  size and colour the modulation ``dm_n``; all mapped to image pixels;
- ``NAME_channel.png``: the channel branch (Eq. 3): the c channels as a
  sqrt(c) x sqrt(c) grid (8 x 8 for c = 64), for each chosen channel (blue)
  the N_c channel positions it samples (red crosses, size and colour the
  modulation; bilinear between channels, zero outside the grid).

:func:`visualize` returns the coordinates (image pixels for the spatial
branch, channel-grid cells for the channel branch) so they can be checked.
"""
import argparse
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

MAX_MARKER = 220.0


def parse_args(argv: Optional[Sequence[str]] = None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(
        description='Draw the points each DDSM samples for given pixels '
        '(spatial branch, the paper\'s Fig. 4b) and the channels it samples '
        'for given channels (channel branch), read through forward hooks.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('config', help='config of a model with DDSM modules')
    p.add_argument(
        'checkpoint', help='checkpoint, or "none" for random '
        'weights')
    p.add_argument('image', help='input image')
    p.add_argument(
        '--pixel',
        type=int,
        nargs='+',
        default=None,
        metavar='Y X',
        help='image pixels as pairs of row, column; not given: the image '
        'centre and its four quarter points')
    p.add_argument(
        '--channel',
        type=int,
        nargs='+',
        default=[0, 27, 63],
        help='channels of the channel branch to show')
    p.add_argument(
        '--out-dir',
        default=None,
        help='where the PNGs go; not given: STEM_ddsm/ beside the '
        'image')
    p.add_argument('--device', default='cpu', help='device of the model')
    p.add_argument(
        '--allow-partial',
        action='store_true',
        help='go on when the checkpoint fills less than 99%% '
        "of the model's parameters")
    p.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    args = p.parse_args(argv)
    if args.pixel is not None and len(args.pixel) % 2:
        p.error(f'--pixel takes pairs Y X, got {len(args.pixel)} numbers')
    return args


def default_pixels(height: int, width: int) -> List[Tuple[int, int]]:
    """The centre and the four quarter points of an image."""
    return [(height // 2, width // 2), (height // 4, width // 4),
            (height // 4, 3 * width // 4), (3 * height // 4, width // 4),
            (3 * height // 4, 3 * width // 4)]


def find_samplers(model: torch.nn.Module) -> 'OrderedDict[str, dict]':
    """Every DDSM of the model: ``{name: dict(spatial=DynamicSampler or
    None, channel=DynamicSampler or None)}``, ``name`` its module path with
    ``_`` for ``.``."""
    from mmseg_gated.models.layers import DDSM
    found = OrderedDict()
    for path, module in model.named_modules():
        if isinstance(module, DDSM):
            found[path.replace('.', '_') or 'ddsm'] = dict(
                spatial=getattr(module, 'spatial_sampler', None),
                channel=getattr(module, 'channel_sampler', None))
    if not found:
        raise ValueError('the model has no DDSM module; is it a DDSM '
                         'config?')
    return found


def record(samplers: dict, store: dict) -> list:
    """Forward hooks on the offset and modulation convs of every sampler:
    ``store[(name, branch)] = dict(offset=B x 2N x h x w (dy, dx
    interleaved), mask=B x N x h x w)`` (the modulation after its
    sigmoid, as :meth:`DynamicSampler.offset_and_mask` applies it)."""

    def hook(key, what):

        def fn(module, args, output):
            out = output.detach().float().cpu()
            if what == 'mask':
                out = out.sigmoid()
            store.setdefault(key, {})[what] = out

        return fn

    handles = []
    for name, branches in samplers.items():
        for branch, sampler in branches.items():
            if sampler is None:
                continue
            key = (name, branch)
            handles.append(
                sampler.conv_offset.register_forward_hook(hook(key, 'offset')))
            handles.append(
                sampler.conv_mask.register_forward_hook(hook(key, 'mask')))
    return handles


def sampled_points(offset: torch.Tensor,
                   mask: torch.Tensor,
                   row: int,
                   col: int,
                   kernel_size: int,
                   dilation: int = 1) -> np.ndarray:
    """Eq. 1 at position ``(row, col)`` of the sampler's map.

    Returns an ``N x 5`` float64 array, one row per point ``n`` (row-major
    order of the k x k grid, as the sampler's offsets): the sampled point
    ``p + p_n + dp_n`` (y, x), the regular grid point ``p + p_n`` (y, x)
    and the modulation ``dm_n``, all in the map's pixels.
    """
    r = (kernel_size - 1) // 2
    n = kernel_size * kernel_size
    off = offset[0, :, row, col].double().view(n, 2).numpy()
    grid = np.arange(-r, r + 1, dtype=np.float64) * dilation
    gy, gx = np.meshgrid(grid, grid, indexing='ij')
    ry = row + gy.reshape(-1)
    rx = col + gx.reshape(-1)
    wgt = mask[0, :, row, col].double().numpy()
    return np.stack([ry + off[:, 0], rx + off[:, 1], ry, rx, wgt], axis=1)


class ImageMapping:
    """Map between a DDSM's feature map and the original image.

    A feature index goes to the network input (padded batch) and then to
    the original image with the convention the model resizes its logits
    with: ``align_corners=False``: ``u = (i + 0.5) * size_out / size_in -
    0.5``; ``True``: ``u = i * (size_out - 1) / (size_in - 1)``.

    Args:
        feat_hw: the DDSM's map size.
        input_hw: the network input size (after padding).
        img_hw: the resized image inside the input (``img_shape``).
        ori_hw: the original image size.
        align_corners (bool): the model's convention.
    """

    def __init__(self,
                 feat_hw,
                 input_hw,
                 img_hw,
                 ori_hw,
                 align_corners: bool = False) -> None:
        self.steps = [(feat_hw, input_hw), (img_hw, ori_hw)]
        self.align_corners = align_corners

    def _map(self, v, size_in, size_out):
        if self.align_corners:
            return v * (size_out - 1) / max(size_in - 1, 1)
        return (v + 0.5) * size_out / size_in - 0.5

    def to_image(self, y, x):
        for (hi, wi), (ho, wo) in self.steps:
            y, x = self._map(y, hi, ho), self._map(x, wi, wo)
        return y, x

    def to_feature(self, y, x):
        for (hi, wi), (ho, wo) in reversed(self.steps):
            y, x = self._map(y, ho, hi), self._map(x, wo, wi)
        return y, x

    def stride(self) -> Tuple[float, float]:
        """Image pixels per feature pixel (y, x)."""
        y0, x0 = self.to_image(0.0, 0.0)
        y1, x1 = self.to_image(1.0, 1.0)
        return y1 - y0, x1 - x0


def channel_label(cell_y: float, cell_x: float, side: int) -> str:
    """Channel index of the nearest grid cell, or 'out' (zero padding)."""
    cy, cx = int(round(cell_y)), int(round(cell_x))
    if 0 <= cy < side and 0 <= cx < side:
        return str(cy * side + cx)
    return 'out'


def _spatial_panel(ax, image_rgb, pts, centre, size):
    ax.imshow(image_rgb)
    for y, x, ry, rx, _ in pts:
        ax.plot([rx, x], [ry, y], color='white', lw=0.8, alpha=0.8)
    ax.scatter(
        pts[:, 3],
        pts[:, 2],
        s=size * 0.15,
        c='lightgrey',
        edgecolors='k',
        linewidths=0.4,
        label='regular grid p + p_n',
        zorder=3)
    sc = ax.scatter(
        pts[:, 1],
        pts[:, 0],
        s=size * (0.1 + pts[:, 4]),
        c=pts[:, 4],
        cmap='autumn_r',
        vmin=0,
        vmax=1,
        marker='X',
        edgecolors='k',
        linewidths=0.4,
        label='sampled p + p_n + dp_n',
        zorder=4)
    ax.scatter([centre[1]], [centre[0]],
               s=size,
               c='blue',
               marker='+',
               linewidths=2,
               label='query position p',
               zorder=5)
    return sc


def draw_spatial(image_rgb, pts, pixel, centre, stride, title, path):
    """The whole image with the points, and a zoom on them."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    h, w = image_rgb.shape[:2]
    fig, (ax, zoom) = plt.subplots(
        1,
        2,
        figsize=(4.5 * w / h + 4.8, 4.8),
        dpi=100,
        gridspec_kw=dict(width_ratios=(w / h, 1)))
    _spatial_panel(ax, image_rgb, pts, centre, 40.0)
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_title(f'pixel {pixel}', fontsize=9)
    # zoom: the points' box plus one DDSM pixel around it
    ys = np.concatenate([pts[:, 0], pts[:, 2], [centre[0]]])
    xs = np.concatenate([pts[:, 1], pts[:, 3], [centre[1]]])
    pad = max(stride)
    half = max(ys.max() - ys.min(), xs.max() - xs.min()) / 2 + pad
    cy, cx = (ys.max() + ys.min()) / 2, (xs.max() + xs.min()) / 2
    sc = _spatial_panel(zoom, image_rgb, pts, centre, MAX_MARKER)
    zoom.set_xlim(cx - half, cx + half)
    zoom.set_ylim(cy + half, cy - half)
    zoom.set_title(
        f'zoom; DDSM stride {stride[0]:.2f} x {stride[1]:.2f} '
        'image px',
        fontsize=9)
    zoom.legend(
        loc='upper center', bbox_to_anchor=(0.5, -0.06), ncol=3, fontsize=7)
    fig.colorbar(sc, ax=zoom, fraction=0.05, label='modulation dm_n')
    fig.suptitle(title, fontsize=9)
    fig.savefig(path)
    plt.close(fig)


def draw_channels(results: Dict[int, np.ndarray], side: int, kernel: int,
                  title: str, path: str):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    r = (kernel - 1) // 2
    cols = len(results)
    fig, axes = plt.subplots(
        1, cols, figsize=(4.2 * cols, 4.6), dpi=100, squeeze=False)
    sc = None
    for ax, (ch, pts) in zip(axes[0], results.items()):
        ax.add_patch(
            plt.Rectangle((-0.5, -0.5), side, side, fill=False, lw=1.2))
        for i in range(side):
            for j in range(side):
                ax.text(
                    j,
                    i,
                    str(i * side + j),
                    ha='center',
                    va='center',
                    fontsize=6,
                    color='grey')
        ax.add_patch(
            plt.Rectangle((ch % side - 0.5, ch // side - 0.5),
                          1,
                          1,
                          color='blue',
                          alpha=0.3))
        sc = ax.scatter(
            pts[:, 1],
            pts[:, 0],
            s=20 + MAX_MARKER * pts[:, 4],
            c=pts[:, 4],
            cmap='autumn_r',
            vmin=0,
            vmax=1,
            marker='X',
            edgecolors='k',
            linewidths=0.4,
            zorder=4)
        ax.set_xticks(range(side))
        ax.set_yticks(range(side))
        ax.grid(True, lw=0.3)
        # the grid and every point (points off the grid read zeros)
        lo = min(-0.5 - r, float(pts[:, :2].min()) - 0.7)
        hi = max(side - 0.5 + r, float(pts[:, :2].max()) + 0.7)
        ax.set_xlim(lo, hi)
        ax.set_ylim(hi, lo)
        ax.set_aspect('equal')
        used = ', '.join(channel_label(y, x, side) for y, x in pts[:, :2])
        ax.set_title(f'channel {ch} samples\n[{used}]', fontsize=8)
    fig.colorbar(sc, ax=list(axes[0]), fraction=0.02, label='modulation')
    fig.suptitle(title, fontsize=9)
    fig.savefig(path)
    plt.close(fig)


def visualize(model,
              image: str,
              pixels: Optional[Sequence[Tuple[int, int]]] = None,
              channels: Sequence[int] = (0, 27, 63),
              out_dir: Optional[str] = None) -> dict:
    """Run ``model`` on ``image``, write the PNGs, return the points.

    Returns:
        dict: ``{name: dict(stride=(sy, sx), feature_size=(h, w),
        spatial={(Y, X): N x 5 array}, channel={c: N_c x 5 array},
        files=[...])}``. Spatial rows: sampled point (y, x), regular grid
        point (y, x) in image pixels, modulation; the query position, in
        image pixels, is ``spatial_centre[(Y, X)]``. Channel rows: sampled
        and regular cell (row, col) on the sqrt(c) x sqrt(c) grid,
        modulation.
    """
    import mmcv
    from mmengine.config import ConfigDict
    from mmseg.apis import inference_model

    samplers = find_samplers(model)
    img = mmcv.imread(image)
    h0, w0 = img.shape[:2]
    pixels = list(pixels) if pixels else default_pixels(h0, w0)
    for y, x in pixels:
        if not (0 <= y < h0 and 0 <= x < w0):
            raise ValueError(f'pixel ({y}, {x}) is outside the {h0} x {w0} '
                             'image')
    if out_dir is None:
        stem = osp.splitext(osp.basename(image))[0]
        out_dir = osp.join(osp.dirname(osp.abspath(image)), f'{stem}_ddsm')
    os.makedirs(out_dir, exist_ok=True)
    model.test_cfg = ConfigDict(model.test_cfg or {}, mode='whole')

    store, inputs = {}, {}
    handles = record(samplers, store)

    def input_hook(module, args):
        inputs.setdefault('shape', tuple(args[0].shape))

    handles.append(model.backbone.register_forward_pre_hook(input_hook))
    try:
        with torch.no_grad():
            sample = inference_model(model, image)
    finally:
        for handle in handles:
            handle.remove()
    input_hw = inputs['shape'][2:]
    img_hw = tuple(sample.metainfo['img_shape'][:2])
    align = bool(getattr(model.decode_head, 'align_corners', False))
    rgb = img[..., ::-1]

    results = OrderedDict()
    for name, branches in samplers.items():
        res = dict(
            spatial=OrderedDict(),
            spatial_centre=OrderedDict(),
            channel=OrderedDict(),
            files=[])
        results[name] = res
        sp = store.get((name, 'spatial'))
        if sp is not None:
            sampler = branches['spatial']
            fh, fw = sp['offset'].shape[2:]
            mapping = ImageMapping((fh, fw), input_hw, img_hw, (h0, w0), align)
            res['feature_size'] = (fh, fw)
            res['stride'] = mapping.stride()
            for y, x in pixels:
                fy, fx = mapping.to_feature(float(y), float(x))
                row = min(max(int(round(fy)), 0), fh - 1)
                col = min(max(int(round(fx)), 0), fw - 1)
                pts = sampled_points(sp['offset'], sp['mask'], row, col,
                                     sampler.kernel_size, sampler.dilation)
                pts[:, 0], pts[:, 1] = mapping.to_image(pts[:, 0], pts[:, 1])
                pts[:, 2], pts[:, 3] = mapping.to_image(pts[:, 2], pts[:, 3])
                centre = mapping.to_image(float(row), float(col))
                res['spatial'][(y, x)] = pts
                res['spatial_centre'][(y, x)] = centre
                path = osp.join(out_dir, f'{name}_spatial_y{y}_x{x}.png')
                draw_spatial(
                    rgb, pts, (y, x), centre, res['stride'],
                    f'{name}: spatial branch, N = {len(pts)}, DDSM map '
                    f'{fh} x {fw}, position ({row}, {col})', path)
                res['files'].append(path)
        ch = store.get((name, 'channel'))
        if ch is not None:
            sampler = branches['channel']
            side = ch['offset'].shape[2]
            for c in channels:
                if not 0 <= c < side * side:
                    raise ValueError(f'channel {c} is not in 0..'
                                     f'{side * side - 1}')
                res['channel'][c] = sampled_points(ch['offset'], ch['mask'],
                                                   c // side, c % side,
                                                   sampler.kernel_size,
                                                   sampler.dilation)
            path = osp.join(out_dir, f'{name}_channel.png')
            draw_channels(
                res['channel'], side, sampler.kernel_size,
                f'{name}: channel branch, N_c = {sampler.num_points} of '
                f'{side * side} channels', path)
            res['files'].append(path)
    return results


def main(argv: Optional[Sequence[str]] = None) -> dict:
    args = parse_args(argv)

    import mmseg_gated  # noqa: F401
    from mmseg_gated.utils import init_tool_model
    model = init_tool_model(args.config, args.checkpoint, args.device,
                            args.allow_partial, args.cfg_options)
    pixels = None
    if args.pixel:
        pixels = list(zip(args.pixel[0::2], args.pixel[1::2]))
    try:
        results = visualize(model, args.image, pixels, args.channel,
                            args.out_dir)
    except ValueError as e:
        raise SystemExit(f'error: {e}') from None
    for name, res in results.items():
        if 'stride' in res:
            sy, sx = res['stride']
            print(f'{name}: DDSM map {res["feature_size"]}, stride '
                  f'{sy:.2f} x {sx:.2f} image px')
        for (y, x), pts in res['spatial'].items():
            shift = np.hypot(pts[:, 0] - pts[:, 2], pts[:, 1] - pts[:, 3])
            print(f'  pixel ({y}, {x}): {len(pts)} points, mean offset '
                  f'{shift.mean():.2f} px, modulation {pts[:, 4].min():.3f}'
                  f'..{pts[:, 4].max():.3f}')
        for c, pts in res['channel'].items():
            print(f'  channel {c}: samples at cells ' +
                  ' '.join(f'({y:.2f},{x:.2f})' for y, x in pts[:, :2]))
        for path in res['files']:
            print(f'  wrote {path}')
    return results


if __name__ == '__main__':
    main()
