"""tools/analysis_tools/visualize_gff.py on the tiny GFF demo model: the
files it writes and its errors (the recorder itself:
tests/test_visualization/test_visualization_recorders.py)."""
import os.path as osp

import cv2
import numpy as np
import pytest
from helpers import REPO_ROOT, load_module

DEMO = osp.join(
    REPO_ROOT, 'configs/demo/gffnet_r18-tiny_1xb8-800iter_synthetic-96x96.py')


def load_tool():
    return load_module(
        'visualize_gff',
        osp.join(REPO_ROOT, 'tools/analysis_tools/visualize_gff.py'))


def write_image(folder, h=45, w=61):
    img = np.random.default_rng(0).integers(0, 255, (h, w, 3), np.uint8)
    path = str(folder / 'img.png')
    cv2.imwrite(path, img)
    return path


def test_visualize_gff_writes_pngs(tmp_path, capsys):
    tool = load_tool()
    img_path = write_image(tmp_path)
    out = tmp_path / 'gates'
    tool.main(
        [DEMO, 'none', img_path, '--out-dir',
         str(out), '--zero-gate', '1'])
    for name in [
            'gate_l0', 'gate_l3', 'pred', 'pred_zero_l1', 'changed_zero_l1'
    ]:
        png = cv2.imread(str(out / f'img_{name}.png'))
        assert png is not None, name
        assert png.shape == (45, 61, 3), name
    assert not (out / 'img_gate_l4.png').exists()
    text = capsys.readouterr().out
    assert 'level 1 gate = 0' in text
    assert text.count(' gate: ') == 4


def test_default_out_dir_is_beside_the_image(tmp_path):
    tool = load_tool()
    img_path = write_image(tmp_path, 33, 40)
    tool.main([DEMO, 'none', img_path])
    assert cv2.imread(str(tmp_path / 'img_gate_l2.png')).shape == (33, 40, 3)


def test_bad_level_and_ungated_fusion(tmp_path):
    tool = load_tool()
    img_path = write_image(tmp_path)
    with pytest.raises(ValueError, match='level 4: the GFFNeck has 4'):
        tool.main([DEMO, 'none', img_path, '--zero-gate', '4'])
    with pytest.raises(ValueError, match='has no gates'):
        tool.main([
            DEMO, 'none', img_path, '--cfg-options',
            "model.decode_head.fusion_cfg.fusion=fpn"
        ])
