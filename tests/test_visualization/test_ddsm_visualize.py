"""tools/analysis_tools/visualize_ddsm.py on the UPerNet-R18 DDSM (S+C)
CamVid config with random weights: the drawn points are the paper's regular
k x k grid around the pixel (Eq. 1 with zero offsets), computed here by
hand (points that move with known offsets, the recorder:
tests/test_visualization/test_visualization_outputs.py and
test_visualization_recorders.py)."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
from helpers import REPO_ROOT, hand_grid, load_module, write_image

import mmseg_gated  # noqa: F401

pytestmark = [
    pytest.mark.filterwarnings('ignore:pkg_resources is deprecated'),
    pytest.mark.filterwarnings('ignore:``build_loss`` would be deprecated'),
]

CONFIG = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', 'ddsm',
                       '*ddsm-sc*r18*camvid*')))[0]


def load_tool():
    return load_module(
        'visualize_ddsm',
        osp.join(REPO_ROOT, 'tools', 'analysis_tools', 'visualize_ddsm.py'))


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


def test_errors(tmp_path):
    tool = load_tool()
    image = write_image(tmp_path / 'frame.png', 20, 30)
    with pytest.raises(SystemExit):
        tool.parse_args([CONFIG, 'none', image, '--pixel', '1', '2', '3'])
    with pytest.raises(SystemExit, match='outside the 20 x 30 image'):
        tool.main([CONFIG, 'none', image, '--pixel', '20', '0'])
