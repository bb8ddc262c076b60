"""mmseg_gated.visualization drawing and geometry against hand-computed
small arrays."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config

import mmseg_gated  # noqa: F401
from mmseg_gated.visualization import FeatureMapping, drawing
from mmseg_gated.visualization.ddsm_sampling import (default_pixels,
                                                     sampled_points)
from mmseg_gated.visualization.gsto_gates import gate_name, tile_label


def test_colorize_labels_uses_the_rgb_palette_as_bgr():
    palette = [[10, 20, 30], [40, 50, 60]]
    out = drawing.colorize_labels(np.array([[0, 1], [1, 7]]), palette)
    want = np.array(
        [[[30, 20, 10], [60, 50, 40]], [[60, 50, 40], [60, 50, 40]]], np.uint8)
    np.testing.assert_array_equal(out, want)  # 7: past the end, last colour
    assert out.flags['C_CONTIGUOUS']


def test_gray_binary_and_rounding():
    m = np.array([[0.0, 0.5, 1.0, 0.49 / 255, 1.7]], np.float32)
    # x * 255 rounded to nearest, clipped: 0, 127.5 -> 128, 255, 0, 255
    np.testing.assert_array_equal(drawing.to_uint8(m), [[0, 128, 255, 0, 255]])
    g = drawing.gray_map(m)
    assert g.shape == (1, 5, 3)
    assert (g == drawing.to_uint8(m)[..., None]).all()
    b = drawing.binary_map(np.array([[0.4, 0.6]]))
    np.testing.assert_array_equal(b[0, :, 0], [0, 255])


def test_heatmap_jet_ends_stretch_and_resize():
    ends = drawing.heatmap(np.array([[0.0, 1.0]], np.float32))
    # OpenCV's jet: 0 is dark blue, 1 dark red (BGR)
    assert ends[0, 0].tolist() == [128, 0, 0]
    assert ends[0, 1].tolist() == [0, 0, 128]
    # stretch: 0.5 .. 0.75 -> 0 .. 1
    stretched = drawing.heatmap(
        np.array([[0.5, 0.75]], np.float32), stretch=True)
    np.testing.assert_array_equal(stretched, ends)
    flat = drawing.heatmap(np.full((1, 2), 0.3, np.float32), stretch=True)
    assert (flat == [128, 0, 0]).all()  # a constant map is blue
    # bilinear 1 x 2 -> 1 x 4 with pixel centres: v0, 3/4 v0 + 1/4 v1, ...
    m = np.array([[0.0, 1.0]], np.float32)
    resized = drawing.heatmap(m, size=(1, 4))
    want = drawing.heatmap(np.array([[0.0, 0.25, 0.75, 1.0]], np.float32))
    np.testing.assert_array_equal(resized, want)


def test_crop_resize_drops_padding():
    m = np.arange(16, dtype=np.float32).reshape(4, 4)
    out = drawing.crop_resize(m, (2, 3), (4, 6), nearest=True)
    want = np.repeat(np.repeat(m[:2, :3], 2, axis=0), 2, axis=1)
    np.testing.assert_array_equal(out, want)


def test_caption_tile_and_grid():
    img = np.zeros((5, 40, 3), np.uint8)
    cap = drawing.caption(img, 'ab', bar=18)
    assert cap.shape == (23, 40, 3)
    assert (cap[18:] == 0).all()  # the image is untouched
    assert (cap[:18] < 255).any() and cap[:18].max() == 255  # text on white
    a = np.zeros((2, 3, 3), np.uint8)
    b = np.ones((2, 2, 3), np.uint8)
    out = drawing.tile([[a, b], [b]])
    assert out.shape == (4, 5, 3)
    np.testing.assert_array_equal(out[:2, :3], a)
    np.testing.assert_array_equal(out[:2, 3:], b)
    np.testing.assert_array_equal(out[2:, :2], b)
    assert (out[2:, 2:] == 255).all()  # short row padded with white
    g = drawing.grid([a, a + 1, a + 2], columns=2)
    assert g.shape == (4, 6, 3)
    assert (g[2:, :3] == 2).all() and (g[2:, 3:] == 255).all()


def test_image_tiles_heights_and_labels():
    image = np.zeros((20, 40, 3), np.uint8)
    tiles = drawing.image_tiles(image, [('x', np.zeros((7, 9, 3), np.uint8))],
                                10)
    assert [t.shape for t in tiles] == [(10, 20, 3), (10, 20, 3)]
    assert (tiles[0] == 0).all() and tiles[1].max() > 0  # white label


def test_resolve_palette_order():
    meta = SimpleNamespace(dataset_meta=dict(palette=[[1, 2, 3]] * 4))
    np.testing.assert_array_equal(
        drawing.resolve_palette(meta, 4), [[1, 2, 3]] * 4)
    from mmseg.datasets import CityscapesDataset
    cfg = Config(
        dict(test_dataloader=dict(dataset=dict(type='CityscapesDataset'))))
    from_cfg = drawing.resolve_palette(SimpleNamespace(cfg=cfg), 19)
    np.testing.assert_array_equal(from_cfg,
                                  CityscapesDataset.METAINFO['palette'])
    rand = drawing.resolve_palette(SimpleNamespace(), 300)
    assert rand.shape == (300, 3) and rand.dtype == np.uint8
    # fixed seed; too short a palette is replaced
    np.testing.assert_array_equal(
        drawing.resolve_palette(meta, 5)[:5], rand[:5])


def test_gsto_names():
    assert gate_name('backbone.stage3.2.gate_layers.0.1') == \
        'stage3_m2_b1_to_b0'
    assert gate_name('backbone.transition_gate2.gate') == 'transition2'
    assert gate_name('backbone.transition_gate1') == 'transition1'
    assert gate_name('decode_head.psp_modules.0.in_gate') == \
        'decode_head_psp_modules_0_in_gate'
    assert tile_label('stage3_m2_b1_to_b0') == 's3m2 1>0'
    assert tile_label('decode_head_psp_modules_0_in_gate') == \
        'ules_0_in_gate'  # the last 14 characters


def test_feature_mapping_by_hand():
    # 4x down-sampling, no resize: feature i covers image [4i, 4i + 4)
    m = FeatureMapping((5, 6), (20, 24), (20, 24), (20, 24))
    assert m.to_image(0.0, 1.0) == (1.5, 5.5)
    assert m.stride() == (4.0, 4.0)
    assert m.to_feature(*m.to_image(2.0, 3.0)) == pytest.approx((2.0, 3.0))
    # input padded 20 -> 24 rows, image resized 10 -> 20 rows
    m = FeatureMapping((6, 6), (24, 24), (20, 24), (10, 12))
    # rows: (0 + 0.5) * 24 / 6 - 0.5 = 1.5, (1.5 + 0.5) * 10 / 20 - 0.5
    assert m.to_image(0.0, 0.0) == pytest.approx((0.5, 0.5))
    ac = FeatureMapping((5, 5), (9, 9), (9, 9), (9, 9), align_corners=True)
    assert ac.to_image(4.0, 1.0) == (8.0, 2.0)


def test_sampled_points_by_hand():
    offset = torch.zeros(1, 18, 3, 4)
    offset[0, 8, 1, 2] = 0.5  # point 4 (the centre), dy
    offset[0, 9, 1, 2] = -1.0  # point 4, dx
    mask = torch.full((1, 9, 3, 4), 0.25)
    pts = sampled_points(offset, mask, 1, 2, kernel_size=3, dilation=2)
    grid = [(1 + 2 * dy, 2 + 2 * dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    np.testing.assert_array_equal(pts[:, 2:4], grid)
    want = np.array(grid, np.float64)
    want[4] += (0.5, -1.0)
    np.testing.assert_array_equal(pts[:, :2], want)
    np.testing.assert_array_equal(pts[:, 4], 0.25)
    assert default_pixels(100, 200) == [(50, 100), (25, 50), (25, 150),
                                        (75, 50), (75, 150)]
    assert drawing.channel_label(2.4, 0.6, 8) == '17'
    assert drawing.channel_label(-0.6, 0, 8) == 'out'


def test_visualizer_parser_shared_options():
    from mmseg_gated.visualization import visualizer_parser
    parser = visualizer_parser('d', 'where')
    args = parser.parse_args([
        'c.py', 'none', 'i.png', '--out-dir', 'o', '--allow-partial',
        '--cfg-options', 'model.test_cfg.mode=whole'
    ])
    assert (args.config, args.checkpoint, args.image, args.out_dir,
            args.device, args.allow_partial) == ('c.py', 'none', 'i.png', 'o',
                                                 'cpu', True)
    assert args.cfg_options == {'model.test_cfg.mode': 'whole'}
    assert 'where' in parser.format_help()
