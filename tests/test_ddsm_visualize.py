"""tools/analysis_tools/visualize_ddsm.py on the UPerNet-R18 DDSM (S+C)
CamVid config with random weights: the drawn points are the paper's regular
k x k grid around the pixel (Eq. 1 with zero offsets), computed here by
hand, and move by the DDSM's stride in image pixels when the offset conv
says +1."""
import glob
import importlib.util
import math
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

import mmseg_gated  # noqa: F401

pytestmark = [
    pytest.mark.filterwarnings('ignore:pkg_resources is deprecated'),
    pytest.mark.filterwarnings('ignore:``build_loss`` would be deprecated'),
]

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = sorted(
    glob.glob(osp.join(REPO, 'configs', 'ddsm', '*ddsm-sc*r18*camvid*')))[0]


def load_tool():
    path = osp.join(REPO, 'tools', 'analysis_tools', 'visualize_ddsm.py')
    spec = importlib.util.spec_from_file_location('visualize_ddsm', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_image(path, h, w):
    img = np.random.default_rng(0).integers(0, 256, (h, w, 3), np.uint8)
    cv2.imwrite(str(path), img)
    return str(path)


def hand_grid(row, col, stride, k=3):
    """Image pixels of the regular k x k grid around DDSM position (row,
    col), row-major: feature pixel i covers image pixels [s i, s (i + 1)),
    its centre is s i + (s - 1) / 2."""
    r = k // 2
    return np.array([(stride * (row + dy) + (stride - 1) / 2,
                      stride * (col + dx) + (stride - 1) / 2)
                     for dy in range(-r, r + 1) for dx in range(-r, r + 1)])


@pytest.fixture(scope='module')
def model():
    from mmseg_gated.utils import init_model_checked
    torch.manual_seed(0)
    return init_model_checked(CONFIG, None, device='cpu')


def test_cli_writes_pngs_of_the_regular_grid(tmp_path, capsys):
    tool = load_tool()
    image = write_image(tmp_path / 'frame.png', 180, 240)
    res = tool.main([
        CONFIG, 'none', image, '--pixel', '90', '120', '10', '7', '--channel',
        '0', '27'
    ])
    out = tmp_path / 'frame_ddsm'
    # fusion levels (0, 1) of the config: two DDSMs, each with S and C
    names = ['decode_head_fusions_0', 'decode_head_fusions_1']
    assert list(res) == names
    for name in names:
        for f in (f'{name}_spatial_y90_x120.png', f'{name}_spatial_y10_x7.png',
                  f'{name}_channel.png'):
            png = cv2.imread(str(out / f))
            assert png is not None and png.shape[0] > 100, f
    assert len(list(out.glob('*.png'))) == 6
    # level 0 of R18 at 180 x 240 is 45 x 60: 4 image px per DDSM pixel;
    # pixel (90, 120) lies in DDSM pixel (22, 30), (10, 7) in (2, 1)
    lvl0 = res['decode_head_fusions_0']
    assert lvl0['feature_size'] == (45, 60)
    assert lvl0['stride'] == pytest.approx((4.0, 4.0))
    for (y, x), (row, col) in (((90, 120), (22, 30)), ((10, 7), (2, 1))):
        pts = lvl0['spatial'][(y, x)]
        want = hand_grid(row, col, 4)
        assert pts.shape == (9, 5)
        np.testing.assert_allclose(pts[:, :2], want, atol=1e-9)
        np.testing.assert_allclose(pts[:, 2:4], want, atol=1e-9)
        np.testing.assert_allclose(pts[:, 4], 0.5)  # sigmoid(0)
        assert lvl0['spatial_centre'][(y, x)] == pytest.approx(want[4])
    # channel branch: channel 27 is cell (3, 3) of the 8 x 8 grid; zero
    # offsets sample its 3 x 3 neighbourhood (cells outside for channel 0)
    cells = lvl0['channel'][27][:, :2]
    np.testing.assert_allclose(cells, [(3 + dy, 3 + dx) for dy in (-1, 0, 1)
                                       for dx in (-1, 0, 1)])
    assert lvl0['channel'][0][0, :2].tolist() == [-1, -1]
    text = capsys.readouterr().out
    assert 'stride 4.00 x 4.00 image px' in text
    assert 'channel 27: samples at cells (2.00,2.00)' in text


def test_known_offsets_move_points_by_the_stride(model, tmp_path):
    """Offset conv weight 0 and bias dx = +1, dy = -0.5 at every point of
    the spatial sampler, dx = +1 of the channel sampler, modulation bias
    log 3 (sigmoid 0.75): the spatial points move by (-0.5, +1) x the
    stride in image pixels, the channel cells one column right."""
    tool = load_tool()
    image = write_image(tmp_path / 'frame.png', 180, 240)
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        for fusion in model.decode_head.fusions.values():
            for sampler in (fusion.spatial_sampler, fusion.channel_sampler):
                conv = sampler.conv_offset
                torch.nn.init.zeros_(conv.weight)
                bias = torch.zeros_like(conv.bias)
                bias[1::2] = 1.0  # dx
                if sampler is fusion.spatial_sampler:
                    bias[0::2] = -0.5  # dy
                conv.bias.data.copy_(bias)
                torch.nn.init.zeros_(sampler.conv_mask.weight)
                torch.nn.init.constant_(sampler.conv_mask.bias, math.log(3))
        res = tool.visualize(model, image, [(90, 120)], [27],
                             str(tmp_path / 'vis'))
        # hooks are gone: the model is as before
        for fusion in model.decode_head.fusions.values():
            for sampler in (fusion.spatial_sampler, fusion.channel_sampler):
                assert not sampler.conv_offset._forward_hooks
                assert not sampler.conv_mask._forward_hooks
        assert not model.backbone._forward_pre_hooks
    finally:
        model.load_state_dict(saved)
    lvl0 = res['decode_head_fusions_0']
    pts = lvl0['spatial'][(90, 120)]
    grid = hand_grid(22, 30, 4)
    np.testing.assert_allclose(pts[:, 2:4], grid, atol=1e-9)
    np.testing.assert_allclose(pts[:, :2], grid + [-2.0, 4.0], atol=1e-6)
    np.testing.assert_allclose(pts[:, 4], 0.75, atol=1e-6)
    # level 1 is 23 x 30 (ceil of 180 / 8): 180 / 23 image px per row
    lvl1 = res['decode_head_fusions_1']
    assert lvl1['feature_size'] == (23, 30)
    sy, sx = 180 / 23, 8.0
    assert lvl1['stride'] == pytest.approx((sy, sx))
    p1 = lvl1['spatial'][(90, 120)]
    np.testing.assert_allclose(p1[:, 0] - p1[:, 2], -0.5 * sy, atol=1e-6)
    np.testing.assert_allclose(p1[:, 1] - p1[:, 3], sx, atol=1e-6)
    cells = lvl0['channel'][27]
    np.testing.assert_allclose(
        cells[:, :2],
        [(3 + dy, 4 + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)],
        atol=1e-6)
    np.testing.assert_allclose(cells[:, 4], 0.75, atol=1e-6)


def test_resized_image_maps_through_the_test_resize(model, tmp_path):
    """A 90 x 120 image is resized to 180 x 240 by the test pipeline: one
    DDSM pixel of level 0 is 2 image pixels."""
    tool = load_tool()
    image = write_image(tmp_path / 'small.png', 90, 120)
    res = tool.visualize(model, image, [(45, 60)], [0])
    lvl0 = res['decode_head_fusions_0']
    assert lvl0['stride'] == pytest.approx((2.0, 2.0))
    # (45, 60) -> feature (22.25 - 0.5 ... ) = DDSM pixel (22, 30)
    np.testing.assert_allclose(
        lvl0['spatial'][(45, 60)][:, :2], hand_grid(22, 30, 2), atol=1e-9)
    assert osp.isfile(
        osp.join(
            str(tmp_path), 'small_ddsm',
            'decode_head_fusions_0_spatial_y45_x60.png'))


def test_errors(model, tmp_path):
    tool = load_tool()
    with pytest.raises(ValueError, match='no DDSM'):
        tool.find_samplers(torch.nn.Sequential(torch.nn.Conv2d(3, 3, 1)))
    image = write_image(tmp_path / 'frame.png', 20, 30)
    with pytest.raises(ValueError, match='outside the 20 x 30 image'):
        tool.visualize(model, image, [(20, 0)])
    with pytest.raises(SystemExit):
        tool.parse_args([CONFIG, 'none', image, '--pixel', '1', '2', '3'])
    assert tool.default_pixels(100, 200)[0] == (50, 100)
