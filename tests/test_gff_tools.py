"""tools/analysis_tools/visualize_gates.py on the tiny GFF demo model:
gate maps read and a gate zeroed through forward hooks, the model left as
it was."""
import importlib.util
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO = osp.join(
    ROOT, 'configs/demo/gffnet_r18-tiny_1xb8-800iter_synthetic-96x96.py')


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'visualize_gates',
        osp.join(ROOT, 'tools/analysis_tools/visualize_gates.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_image(folder, h=45, w=61):
    img = np.random.default_rng(0).integers(0, 255, (h, w, 3), np.uint8)
    path = str(folder / 'img.png')
    cv2.imwrite(path, img)
    return path


def test_visualize_gates_writes_pngs(tmp_path, capsys):
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


def test_hooks_read_and_zero_gates_and_leave_the_model_unchanged():
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    tool = load_tool()
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(DEMO).model).eval()
    neck = tool.find_gff_neck(model)
    x = torch.randn(1, 3, 32, 48)
    with torch.no_grad():
        ref = model.encode_decode(x, [dict(img_shape=(32, 48))])
    gates = {}
    handles = tool.record_gates(neck, gates)
    with torch.no_grad():
        model.encode_decode(x, [dict(img_shape=(32, 48))])
    for h in handles:
        h.remove()
    # one sigmoid map per level (stage strides 4, 8, 16, 32 of 32 x 48)
    assert [tuple(gates[i][0].shape) for i in range(4)] == \
        [(1, 1, 8, 12), (1, 1, 4, 6), (1, 1, 2, 3), (1, 1, 1, 2)]
    assert all(0 < float(g[0].min()) and float(g[0].max()) < 1
               for g in gates.values())
    handle = tool.zero_gate(neck, 0)
    seen = {}
    extra = tool.record_gates(neck, seen)
    with torch.no_grad():
        zeroed = model.encode_decode(x, [dict(img_shape=(32, 48))])
    handle.remove()
    for h in extra:
        h.remove()
    assert float(seen[0][0].abs().max()) == 0.
    assert not torch.allclose(zeroed, ref, atol=1e-5)
    with torch.no_grad():
        again = model.encode_decode(x, [dict(img_shape=(32, 48))])
    assert torch.equal(again, ref)
    assert not any(g._forward_hooks for g in neck.gates)


def test_bad_level_and_ungated_fusion(tmp_path):
    tool = load_tool()
    img_path = write_image(tmp_path)
    with pytest.raises(ValueError, match='--zero-gate 4: the GFFNeck has 4'):
        tool.main([DEMO, 'none', img_path, '--zero-gate', '4'])
    with pytest.raises(ValueError, match='has no gates'):
        tool.main([
            DEMO, 'none', img_path, '--cfg-options',
            "model.decode_head.fusion_cfg.fusion=fpn"
        ])


def test_gate_png_colours():
    tool = load_tool()
    gate = torch.zeros(1, 1, 2, 2)
    gate[..., 0, 0] = 1.0
    png = tool.gate_to_png(gate, (2, 2))
    # jet: 0 -> blue, 1 -> red (BGR)
    assert png[1, 1, 0] > 100 and png[1, 1, 2] < 50
    assert png[0, 0, 2] > 100 and png[0, 0, 0] < 50
