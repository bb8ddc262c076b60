"""tools/analysis_tools/visualize_gates.py on the tiny GFF demo model."""
import importlib.util
import os.path as osp
import sys

import cv2
import numpy as np
import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'visualize_gates',
        osp.join(ROOT, 'tools/analysis_tools/visualize_gates.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.filterwarnings('ignore:pkg_resources is deprecated')
@pytest.mark.filterwarnings('ignore:``build_loss`` would be deprecated')
def test_visualize_gates_writes_pngs(tmp_path, monkeypatch, capsys):
    tool = load_tool()
    img = np.random.default_rng(0).integers(0, 255, (45, 61, 3), np.uint8)
    img_path = str(tmp_path / 'img.png')
    cv2.imwrite(img_path, img)
    out = tmp_path / 'gates'
    cfg = osp.join(ROOT, 'configs/demo/gff_r18-tiny_1xb8-800iter_synthetic-96x96.py')
    monkeypatch.setattr(sys, 'argv', [
        'visualize_gates.py', cfg, 'none', img_path, '--out-dir', str(out),
        '--zero-gate', '1'
    ])
    tool.main()
    for name in ['gate_l0.png', 'gate_l3.png', 'pred.png',
                 'pred_zero_l1.png', 'changed_zero_l1.png']:
        png = cv2.imread(str(out / name))
        assert png is not None, name
        assert png.shape == (45, 61, 3), name
    assert not (out / 'gate_l4.png').exists()
    assert 'level 1 gate = 0' in capsys.readouterr().out


def test_gate_png_colours():
    import torch
    tool = load_tool()
    gate = torch.zeros(1, 1, 2, 2)
    gate[..., 0, 0] = 1.0
    png = tool.gate_to_png(gate, (2, 2))
    # jet: 0 -> blue, 1 -> red (BGR)
    assert png[1, 1, 0] > 100 and png[1, 1, 2] < 50
    assert png[0, 0, 2] > 100 and png[0, 0, 0] < 50
