"""tools/analysis_tools/visualize_gsto.py: the gate map of every fuse path
of the GSTO-HRNet-W18 CamVid config (random weights). The recorder on the
paper's layout: tests/test_visualization/test_visualization_outputs.py."""
import os.path as osp

import cv2
import numpy as np
from helpers import REPO_ROOT, load_module
from mmengine.config import Config

from mmseg_gated.visualization.gsto_gates import TILE_HEIGHT

CONFIG = osp.join(
    REPO_ROOT, 'configs/gsto/fcn_gsto-hr18_1xb4-200iter_camvid-'
    '180x240.py')


def load_tool():
    return load_module(
        'visualize_gsto',
        osp.join(REPO_ROOT, 'tools/analysis_tools/visualize_gsto.py'))


def fuse_paths(extra, identity):
    """(stage, module, source j, target i) of every gated fuse path, from
    the HRNet stage configuration (all modules keep multi-scale outputs in
    HRNetV2)."""
    paths = []
    for s in (2, 3, 4):
        cfg = extra[f'stage{s}']
        b = cfg['num_branches']
        for m in range(cfg['num_modules']):
            paths += [(s, m, j, i) for i in range(b) for j in range(b)
                      if identity or i != j]
    return paths


def test_writes_every_fuse_path(tmp_path, capsys):
    tool = load_tool()
    img = np.random.default_rng(0).integers(0, 255, (50, 70, 3), np.uint8)
    img_path = str(tmp_path / 'frame.png')
    cv2.imwrite(img_path, img)
    out = tmp_path / 'vis'
    tool.main([CONFIG, 'none', img_path, '--out-dir', str(out)])
    extra = Config.fromfile(CONFIG).model.backbone.extra
    # the authors' layout gates the identity paths too
    paths = fuse_paths(extra, identity=True)
    assert len(paths) == 4 + 4 * 9 + 3 * 16
    names = [f'stage{s}_m{m}_b{j}_to_b{i}' for s, m, j, i in paths]
    # supervised gates of the transitions 2->3 and 3->4 (none at 1->2)
    names += ['transition2', 'transition3']
    for name in names:
        png = cv2.imread(str(out / f'frame_gsto_{name}.png'))
        assert png is not None, name
        assert png.shape == (50, 70, 3), name
    assert not (out / 'frame_gsto_transition1.png').exists()
    assert len(list(out.glob('frame_gsto_*.png'))) == len(names) + 1
    view = cv2.imread(str(out / 'frame_gsto_overview.png'))
    # a row per HR module (1 + 4 + 3) and one for the transitions
    assert view.shape[0] == 9 * TILE_HEIGHT
    text = capsys.readouterr().out
    assert f'wrote {len(names)} gate maps' in text
    # BN + ReLU before the sigmoid: the authors' gates are >= 0.5
    assert 'min 0.500' in text and 'min 0.4' not in text
