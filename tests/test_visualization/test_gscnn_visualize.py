"""tools/analysis_tools/visualize_gscnn.py on the CamVid Gated-SCNN config
with random weights: the files, their sizes and the checkpoint checks (the
recorder: tests/test_visualization/test_visualization_recorders.py and
tests/test_visualization/test_visualization_outputs.py)."""
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
import torch
from helpers import REPO_ROOT, load_module, scene

CFG = osp.join(REPO_ROOT,
               'configs/gscnn/gscnn_r18-d8_1xb4-120iter_camvid-180x240.py')


@pytest.fixture(scope='module')
def tool():
    return load_module(
        'visualize_gscnn',
        osp.join(REPO_ROOT, 'tools/analysis_tools/visualize_gscnn.py'))


def test_pngs_and_sizes(tool, tmp_path, monkeypatch, capsys):
    img_path = str(tmp_path / 'scene.png')
    cv2.imwrite(img_path, scene())
    out = tmp_path / 'out'
    monkeypatch.setattr(
        sys, 'argv',
        ['visualize_gscnn.py', CFG, 'none', img_path, '--out-dir',
         str(out)])
    torch.manual_seed(0)
    tool.main()
    names = [
        'pred', 'gradients', 'edge', 'fused', 'gcl1', 'gcl2', 'gcl3',
        'overview'
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(f'{n}.png'
                                                           for n in names)
    for name in names[:-1]:
        assert cv2.imread(str(out / f'{name}.png')).shape == (75, 101, 3)
    # 4 columns x 2 rows of labelled tiles at the image size
    assert cv2.imread(str(out / 'overview.png')).shape == (2 * (75 + 22),
                                                           4 * 101, 3)
    grads = cv2.imread(str(out / 'gradients.png'))
    assert set(np.unique(grads)) <= {0, 255} and grads.max() == 255
    text = capsys.readouterr().out
    assert 'gcl3: min' in text and 'of the pixels are Canny edges' in text
    assert 'wrote 8 PNGs' in text


def test_cli_checkpoint_coverage(tool, tmp_path, monkeypatch, capsys):
    from mmseg_gated.apis import init_model_checked
    img_path = str(tmp_path / 'scene.jpg')
    cv2.imwrite(img_path, scene(60, 80))
    # the backbone alone: most of the parameters, not 99% of them
    model = init_model_checked(CFG, None)
    ckpt = str(tmp_path / 'backbone_only.pth')
    state = {
        k: v
        for k, v in model.state_dict().items() if k.startswith('backbone.')
    }
    palette = [[20 * i, 255 - 20 * i, 0] for i in range(11)]
    meta = dict(
        dataset_meta=dict(
            classes=[f'c{i}' for i in range(11)], palette=palette))
    torch.save({'meta': meta, 'state_dict': state}, ckpt)
    argv = ['visualize_gscnn.py', CFG, ckpt, img_path]
    monkeypatch.setattr(sys, 'argv', argv)
    with pytest.raises(SystemExit, match='does not fit this model'):
        tool.main()
    monkeypatch.setattr(sys, 'argv', argv + ['--allow-partial'])
    tool.main()
    out_dir = tmp_path / 'scene_gscnn'  # default: beside the image
    assert cv2.imread(str(out_dir / 'gcl2.png')).shape == (60, 80, 3)
    assert 'wrote 8 PNGs' in capsys.readouterr().out
    # the prediction in the checkpoint's palette (RGB, written as BGR)
    pred = cv2.imread(str(out_dir / 'pred.png'))[..., ::-1].reshape(-1, 3)
    assert {tuple(c) for c in pred} <= {tuple(c) for c in palette}
    monkeypatch.setattr(
        sys, 'argv',
        ['visualize_gscnn.py', CFG, 'none',
         str(tmp_path / 'missing.png')])
    with pytest.raises(SystemExit, match='no image file'):
        tool.main()
