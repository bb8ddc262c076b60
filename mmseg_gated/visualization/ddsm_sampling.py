# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Where each DDSM samples, for given pixels and channels (DDSM paper,
Fig. 4b; Eq. 1-3), read through forward hooks on the offset and
modulation convs of its samplers."""
import os
import os.path as osp
from collections import OrderedDict
from typing import List, Optional, Sequence, Tuple

import mmcv
import numpy as np
import torch
from mmengine.config import ConfigDict

from .drawing import draw_channel_points, draw_sampling_points
from .feature_mapping import FeatureMapping
from .hook_recorder import HookRecorder


class DDSMSamplingRecorder(HookRecorder):
    """Records the offsets ``dp_n`` and modulations ``dm_n`` (Eq. 1) that
    every :class:`DynamicSampler` of every :class:`DDSM` of a model
    predicts, through forward hooks on its ``conv_offset`` and
    ``conv_mask``, and the network input's shape (a pre-hook on the
    backbone, for segmentors).

    Args:
        model (nn.Module): A model with DDSM modules.

    Attributes:
        samplers (OrderedDict[str, dict]): Per DDSM (its module path with
            ``_`` for ``.``): ``dict(spatial=sampler or None,
            channel=sampler or None)``.
        store (dict): ``{(name, branch): dict(offset=B x 2N x h x w (dy, dx
            interleaved), mask=B x N x h x w)}``, the modulation after its
            sigmoid as :meth:`DynamicSampler.offset_and_mask` applies it.
        input_shape (tuple): The backbone's input shape, or None.
    """

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        from mmseg_gated.models.layers import DDSM
        self.model = model
        self.samplers = OrderedDict()
        for path, module in model.named_modules():
            if isinstance(module, DDSM):
                self.samplers[path.replace('.', '_') or 'ddsm'] = {
                    name: None if branch is None else branch.sampler
                    for name, branch in (('spatial', module.spatial_branch),
                                         ('channel', module.channel_branch))
                }
        if not self.samplers:
            raise ValueError('the model has no DDSM module; is it a DDSM '
                             'config?')
        self.store, self.input_shape = {}, None

    def reset(self) -> None:
        self.store, self.input_shape = {}, None

    def hooks(self):

        def keep(key, what):

            def fn(module, args, output):
                out = output.detach().float().cpu()
                if what == 'mask':
                    out = out.sigmoid()
                self.store.setdefault(key, {})[what] = out

            return fn

        def input_shape(module, args):
            if self.input_shape is None:
                self.input_shape = tuple(args[0].shape)

        hooks = []
        for name, branches in self.samplers.items():
            for branch, sampler in branches.items():
                if sampler is not None:
                    key = (name, branch)
                    hooks += [(sampler.conv_offset, keep(key,
                                                         'offset'), 'forward'),
                              (sampler.conv_mask, keep(key,
                                                       'mask'), 'forward')]
        backbone = getattr(self.model, 'backbone', None)
        if backbone is not None:
            hooks.append((backbone, input_shape, 'pre'))
        return hooks


def default_pixels(height: int, width: int) -> List[Tuple[int, int]]:
    """The centre and the four quarter points of an image."""
    return [(height // 2, width // 2), (height // 4, width // 4),
            (height // 4, 3 * width // 4), (3 * height // 4, width // 4),
            (3 * height // 4, 3 * width // 4)]


def sampled_points(offset: torch.Tensor,
                   mask: torch.Tensor,
                   row: int,
                   col: int,
                   kernel_size: int,
                   dilation: int = 1) -> np.ndarray:
    """Eq. 1 at position ``(row, col)`` of a sampler's map.

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


def _spatial(res, name, rec_out, sampler, mapping, pixels, rgb, out_dir):
    fh, fw = rec_out['offset'].shape[2:]
    res['feature_size'] = (fh, fw)
    res['stride'] = mapping.stride()
    for y, x in pixels:
        fy, fx = mapping.to_feature(float(y), float(x))
        row = min(max(int(round(fy)), 0), fh - 1)
        col = min(max(int(round(fx)), 0), fw - 1)
        pts = sampled_points(rec_out['offset'], rec_out['mask'], row, col,
                             sampler.kernel_size, sampler.dilation)
        pts[:, 0], pts[:, 1] = mapping.to_image(pts[:, 0], pts[:, 1])
        pts[:, 2], pts[:, 3] = mapping.to_image(pts[:, 2], pts[:, 3])
        centre = mapping.to_image(float(row), float(col))
        res['spatial'][(y, x)] = pts
        res['spatial_centre'][(y, x)] = centre
        path = osp.join(out_dir, f'{name}_spatial_y{y}_x{x}.png')
        draw_sampling_points(
            rgb, pts, (y, x), centre, res['stride'],
            f'{name}: spatial branch, N = {len(pts)}, DDSM map '
            f'{fh} x {fw}, position ({row}, {col})', path)
        res['files'].append(path)


def _channel(res, name, rec_out, sampler, channels, out_dir):
    side = rec_out['offset'].shape[2]
    for c in channels:
        if not 0 <= c < side * side:
            raise ValueError(f'channel {c} is not in 0..{side * side - 1}')
        res['channel'][c] = sampled_points(rec_out['offset'], rec_out['mask'],
                                           c // side, c % side,
                                           sampler.kernel_size,
                                           sampler.dilation)
    path = osp.join(out_dir, f'{name}_channel.png')
    draw_channel_points(
        res['channel'], side, sampler.kernel_size,
        f'{name}: channel branch, N_c = {sampler.num_points} of '
        f'{side * side} channels', path)
    res['files'].append(path)


def visualize_ddsm(model,
                   image: str,
                   pixels: Optional[Sequence[Tuple[int, int]]] = None,
                   channels: Sequence[int] = (0, 27, 63),
                   out_dir: Optional[str] = None) -> dict:
    """Run ``model`` on the whole ``image`` and write, per DDSM ``NAME``,
    into ``out_dir`` (default: ``STEM_ddsm/`` beside the image):
    ``NAME_spatial_y{Y}_x{X}.png`` (spatial branch, Eq. 2, at image pixel
    (Y, X): the DDSM position nearest to it, the regular k x k grid and
    the sampled points, mapped to image pixels) and ``NAME_channel.png``
    (channel branch, Eq. 3: the channels each chosen channel samples on
    the sqrt(c) x sqrt(c) channel grid). Sets ``test_cfg.mode`` to
    ``'whole'``.

    Args:
        pixels (Sequence[tuple], optional): Image pixels (Y, X). Default:
            :func:`default_pixels`.
        channels (Sequence[int]): Channels of the channel branch.

    Returns:
        dict: ``{name: dict(stride=(sy, sx), feature_size=(h, w),
        spatial={(Y, X): N x 5 array}, spatial_centre={(Y, X): (y, x)},
        channel={c: N_c x 5 array}, files=[...])}``. Spatial rows: sampled
        point (y, x), regular grid point (y, x) in image pixels,
        modulation; the query position in image pixels is
        ``spatial_centre``. Channel rows: sampled and regular cell (row,
        col) on the channel grid, modulation.
    """
    from mmseg.apis import inference_model
    recorder = DDSMSamplingRecorder(model)
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
    with recorder, torch.no_grad():
        sample = inference_model(model, image)
    input_hw = recorder.input_shape[2:]
    img_hw = tuple(sample.metainfo['img_shape'][:2])
    align = bool(getattr(model.decode_head, 'align_corners', False))
    results = OrderedDict()
    for name, branches in recorder.samplers.items():
        res = results[name] = dict(
            spatial=OrderedDict(),
            spatial_centre=OrderedDict(),
            channel=OrderedDict(),
            files=[])
        sp = recorder.store.get((name, 'spatial'))
        if sp is not None:
            mapping = FeatureMapping(sp['offset'].shape[2:], input_hw, img_hw,
                                     (h0, w0), align)
            _spatial(res, name, sp, branches['spatial'], mapping, pixels,
                     img[..., ::-1], out_dir)
        ch = recorder.store.get((name, 'channel'))
        if ch is not None:
            _channel(res, name, ch, branches['channel'], channels, out_dir)
    return results


def ddsm_summary(results: dict) -> List[str]:
    """Printable lines of :func:`visualize_ddsm`'s results: per DDSM its
    map size and stride, per pixel the mean offset and the modulation
    range, per channel the cells it samples, the files."""
    lines = []
    for name, res in results.items():
        if 'stride' in res:
            sy, sx = res['stride']
            lines.append(f'{name}: DDSM map {res["feature_size"]}, stride '
                         f'{sy:.2f} x {sx:.2f} image px')
        for (y, x), pts in res['spatial'].items():
            shift = np.hypot(pts[:, 0] - pts[:, 2], pts[:, 1] - pts[:, 3])
            lines.append(f'  pixel ({y}, {x}): {len(pts)} points, mean '
                         f'offset {shift.mean():.2f} px, modulation '
                         f'{pts[:, 4].min():.3f}..{pts[:, 4].max():.3f}')
        for c, pts in res['channel'].items():
            lines.append(f'  channel {c}: samples at cells ' +
                         ' '.join(f'({y:.2f},{x:.2f})' for y, x in pts[:, :2]))
        lines += [f'  wrote {path}' for path in res['files']]
    return lines
