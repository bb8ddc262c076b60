# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Drawing for the visualisers: class maps in the dataset palette, heat
maps, captions, image tiling and the DDSM sampling-point plots.

Every image is an ``H x W x 3`` uint8 BGR array (OpenCV's order, as
``mmcv.imwrite`` writes it). mmseg's :class:`SegLocalVisualizer` blends a
class map into the image at ``alpha`` and prints class names on it; the
tools here write the bare palette colours, maps on a fixed [0, 1] scale
and several labelled tiles per file, so they use the palette of the
checkpoint or of the config's dataset (as ``SegLocalVisualizer`` does)
and draw with OpenCV.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

MAX_MARKER = 220.0


def resolve_palette(model, num_classes: int = 0) -> np.ndarray:
    """RGB palette of a model's classes: the checkpoint's
    (``model.dataset_meta``), else the palette of its config's test
    dataset, else a fixed random one (seed 0).

    Args:
        model: A segmentor built by :func:`mmseg.apis.init_model`.
        num_classes (int): Classes to cover; a shorter palette is replaced
            by the random one. Default: 0 (any palette).

    Returns:
        np.ndarray: ``K x 3`` uint8, RGB.
    """
    palette = (getattr(model, 'dataset_meta', None) or {}).get('palette')
    cfg = getattr(model, 'cfg', None)
    if palette is None and cfg is not None:
        from mmseg.registry import DATASETS
        try:
            dataset = DATASETS.get(cfg.test_dataloader.dataset.type)
            palette = dataset.METAINFO.get('palette')
        except (AttributeError, KeyError, TypeError):
            palette = None
    if palette is None or len(palette) < num_classes:
        rng = np.random.default_rng(0)
        palette = rng.integers(0, 256, (max(num_classes, 256), 3))
    return np.asarray(palette, dtype=np.uint8)


def colorize_labels(label: np.ndarray, palette) -> np.ndarray:
    """Class map (``H x W`` ints) -> BGR image in the RGB ``palette``;
    labels past the palette take its last colour."""
    palette = np.asarray(palette, dtype=np.uint8)
    return palette[np.clip(label, 0, len(palette) - 1)][..., ::-1].copy()


def to_uint8(m: np.ndarray) -> np.ndarray:
    """Map in [0, 1] -> uint8 0..255, rounded to nearest."""
    return np.clip(m * 255.0 + 0.5, 0, 255).astype(np.uint8)


def heatmap(m: np.ndarray,
            size: Optional[Tuple[int, int]] = None,
            stretch: bool = False) -> np.ndarray:
    """``h x w`` map -> BGR jet colours (0 blue .. 1 red).

    Args:
        m (np.ndarray): The map, float.
        size (tuple, optional): ``(H, W)`` to resize to (bilinear) before
            colouring. Default: None (as it is).
        stretch (bool): Colour from the map's min to its max instead of
            the fixed range [0, 1] (a constant map is blue).
            Default: False.
    """
    if stretch:
        lo, hi = float(m.min()), float(m.max())
        m = (m - lo) / (hi - lo) if hi > lo else np.zeros_like(m)
    if size is not None:
        m = cv2.resize(m, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.applyColorMap(to_uint8(m), cv2.COLORMAP_JET)


def gray_map(m: np.ndarray) -> np.ndarray:
    """``h x w`` map in [0, 1] -> BGR grey levels (white = 1)."""
    return cv2.cvtColor(to_uint8(m), cv2.COLOR_GRAY2BGR)


def binary_map(m: np.ndarray) -> np.ndarray:
    """``h x w`` 0/1 map -> white (> 0.5) on black, BGR."""
    m8 = np.where(m > 0.5, 255, 0).astype(np.uint8)
    return cv2.cvtColor(m8, cv2.COLOR_GRAY2BGR)


def crop_resize(m: np.ndarray,
                img_shape: Tuple[int, int],
                ori_shape: Tuple[int, int],
                nearest: bool = False) -> np.ndarray:
    """A map at the network input's size -> the original image's: crop to
    the resized image (``img_shape``; the rest is padding), then resize to
    ``ori_shape`` (bilinear, or nearest for binary maps)."""
    m = m[:img_shape[0], :img_shape[1]]
    interp = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    return cv2.resize(m, (ori_shape[1], ori_shape[0]), interpolation=interp)


def put_label(img: np.ndarray,
              text: str,
              org: Tuple[int, int],
              scale: float,
              color=(0, 0, 0)) -> np.ndarray:
    """Write ``text`` on ``img`` in place (OpenCV's simplex font,
    anti-aliased, baseline-left corner ``org`` = (x, y)); return it."""
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, color, 1,
                cv2.LINE_AA)
    return img


def caption(img: np.ndarray,
            text: str,
            bar: int = 18,
            org: Tuple[int, int] = (3, 13),
            scale: float = 0.4) -> np.ndarray:
    """``img`` below a white bar of height ``bar`` holding ``text``."""
    top = np.full((bar, img.shape[1], 3), 255, np.uint8)
    return np.concatenate([put_label(top, text, org, scale), img], axis=0)


def tile(rows: Sequence[Sequence[np.ndarray]], fill: int = 255) -> np.ndarray:
    """Images side by side in rows, rows one below the other; rows of
    unequal width are padded on the right with ``fill``. The images of a
    row share their height."""
    lines = [np.concatenate(list(r), axis=1) for r in rows]
    width = max(line.shape[1] for line in lines)
    padded = []
    for line in lines:
        pad = np.full((line.shape[0], width - line.shape[1], 3), fill,
                      np.uint8)
        padded.append(np.concatenate([line, pad], axis=1))
    return np.concatenate(padded, axis=0)


def grid(images: Sequence[np.ndarray], columns: int) -> np.ndarray:
    """Equal-size images in rows of ``columns``, left to right; the last
    row is filled up with white cells."""
    cells = list(images)
    cells += [np.full_like(cells[0], 255)] * (-len(cells) % columns)
    return tile([cells[i:i + columns] for i in range(0, len(cells), columns)])


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def _sampled(ax, pts, sizes, **kwargs):
    """Sampled points (``pts[:, :2]``, y x) as crosses, size and colour
    (autumn, 0 .. 1) their modulation ``pts[:, 4]``."""
    return ax.scatter(
        pts[:, 1],
        pts[:, 0],
        s=sizes,
        c=pts[:, 4],
        cmap='autumn_r',
        vmin=0,
        vmax=1,
        marker='X',
        edgecolors='k',
        linewidths=0.4,
        zorder=4,
        **kwargs)


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
    sc = _sampled(
        ax, pts, size * (0.1 + pts[:, 4]), label='sampled p + p_n + dp_n')
    ax.scatter([centre[1]], [centre[0]],
               s=size,
               c='blue',
               marker='+',
               linewidths=2,
               label='query position p',
               zorder=5)
    return sc


def draw_sampling_points(image_rgb: np.ndarray, pts: np.ndarray,
                         pixel: Sequence[int], centre: Sequence[float],
                         stride: Sequence[float], title: str,
                         path: str) -> None:
    """Save the points one DDSM position samples (DDSM paper, Fig. 4b):
    the whole image and a zoom on them.

    Args:
        image_rgb (np.ndarray): The image, RGB.
        pts (np.ndarray): ``N x 5``: sampled point (y, x), regular grid
            point (y, x), modulation, in image pixels.
        pixel (tuple): The image pixel asked for (titles only).
        centre (tuple): The DDSM position in image pixels.
        stride (tuple): Image pixels per DDSM pixel (y, x).
        title (str): Figure title.
        path (str): PNG to write.
    """
    plt = _pyplot()
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
    half = max(ys.max() - ys.min(), xs.max() - xs.min()) / 2 + max(stride)
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


def channel_label(cell_y: float, cell_x: float, side: int) -> str:
    """Channel index of the nearest cell of a ``side x side`` channel grid,
    or 'out' (zero padding)."""
    cy, cx = int(round(cell_y)), int(round(cell_x))
    if 0 <= cy < side and 0 <= cx < side:
        return str(cy * side + cx)
    return 'out'


def draw_channel_points(results: Dict[int, np.ndarray], side: int, kernel: int,
                        title: str, path: str) -> None:
    """Save the channels the DDSM channel branch samples for each chosen
    channel, on the ``side x side`` channel grid (one panel a channel).

    Args:
        results (dict): ``{channel: N x 5}`` as in
            :func:`draw_sampling_points`, in grid cells.
        side (int): The channel grid's side.
        kernel (int): The branch's kernel size.
        title (str): Figure title.
        path (str): PNG to write.
    """
    plt = _pyplot()
    r = (kernel - 1) // 2
    fig, axes = plt.subplots(
        1,
        len(results),
        figsize=(4.2 * len(results), 4.6),
        dpi=100,
        squeeze=False)
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
        sc = _sampled(ax, pts, 20 + MAX_MARKER * pts[:, 4])
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


def image_tiles(image: np.ndarray, tiles: List[Tuple[str, np.ndarray]],
                height: int) -> List[np.ndarray]:
    """``image`` and labelled ``tiles`` resized to ``height`` (width in the
    image's aspect), the label in white on each tile."""
    h, w = image.shape[:2]
    tw = max(1, round(w * height / h))
    out = [cv2.resize(image, (tw, height))]
    for label, img in tiles:
        out.append(
            put_label(
                cv2.resize(img, (tw, height)), label, (2, 12), 0.35,
                (255, 255, 255)))
    return out
