"""tools/analysis_tools/visualize_gsto.py: the gate map of every fuse path
of the GSTO-HRNet-W18 CamVid config (random weights), read through forward
hooks on an unmodified model."""
import importlib.util
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(
    ROOT, 'configs/gsto/fcn_gsto-hr18_1xb4-200iter_camvid-'
    '180x240.py')


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'visualize_gsto',
        osp.join(ROOT, 'tools/analysis_tools/visualize_gsto.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


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
    assert view.shape[0] == 9 * tool.TILE_HEIGHT
    text = capsys.readouterr().out
    assert f'wrote {len(names)} gate maps' in text
    # BN + ReLU before the sigmoid: the authors' gates are >= 0.5
    assert 'min 0.500' in text and 'min 0.4' not in text


def test_hooks_see_the_gates_of_the_paper_layout():
    tool = load_tool()
    init_default_scope('mmseg')
    cfg = Config.fromfile(CONFIG).model
    cfg.backbone.type = 'GSTOHRNet'
    torch.manual_seed(0)
    model = MODELS.build(cfg).eval()
    gates = tool.find_gates(model)
    paths = fuse_paths(cfg.backbone.extra, identity=False)
    want = {f'stage{s}_m{m}_b{j}_to_b{i}' for s, m, j, i in paths}
    assert set(gates) == want | {'transition1', 'transition2', 'transition3'}
    maps = {}
    handles = tool.record(gates, maps)
    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        feats = model.backbone(x)
    for h in handles:
        h.remove()
    assert set(maps) == set(gates)
    # path 0 -> 1 of the first stage-3 module gates the 1/4 branch: its map
    # is sigmoid(conv1x1) of that branch's input to the fuse
    assert maps['stage3_m0_b0_to_b1'].shape == (1, 1, 16, 24)
    assert maps['stage4_m2_b3_to_b0'].shape == (1, 1, 2, 3)
    assert all(0 < float(g.min()) and float(g.max()) < 1
               for g in maps.values())
    # hooks removed: nothing is recorded any more, outputs unchanged
    maps.clear()
    with torch.no_grad():
        again = model.backbone(x)
    assert not maps
    assert all(torch.equal(a, b) for a, b in zip(feats, again))


def test_names_and_colours():
    tool = load_tool()
    assert tool.gate_name('backbone.stage3.2.gate_layers.0.1') == \
        'stage3_m2_b1_to_b0'
    assert tool.gate_name('backbone.transition_gate2.gate') == 'transition2'
    assert tool.gate_name('backbone.transition_gate1') == 'transition1'
    assert tool.gate_name('decode_head.psp_modules.0.in_gate') == \
        'decode_head_psp_modules_0_in_gate'
    gate = torch.full((1, 1, 2, 2), 0.5)
    gate[..., 0, 0] = 0.75
    fixed = tool.gate_to_png(gate, (2, 2))
    stretched = tool.gate_to_png(gate, (2, 2), stretch=True)
    # jet, BGR: 0.5 is green on the fixed scale; stretched, the minimum is
    # blue and the maximum red
    assert fixed[1, 1, 1] > 200 and fixed[1, 1, 0] < 150
    assert stretched[1, 1, 0] > 100 and stretched[1, 1, 2] < 50
    assert stretched[0, 0, 2] > 100 and stretched[0, 0, 0] < 50


def test_model_without_gates():
    tool = load_tool()
    with pytest.raises(ValueError, match='no gates'):
        tool.find_gates(torch.nn.Sequential(torch.nn.Conv2d(3, 3, 1)))
