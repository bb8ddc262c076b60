"""tools/analysis_tools/visualize_hmsa.py on the CamVid multi-scale
attention config with random weights (the recorder and the scales' shares:
tests/test_visualization/test_visualization_recorders.py)."""
import copy
import os.path as osp

import cv2
import numpy as np
import pytest
from helpers import REPO_ROOT, load_module

import mmseg_gated  # noqa: F401

pytestmark = [
    pytest.mark.filterwarnings('ignore:pkg_resources is deprecated'),
    pytest.mark.filterwarnings('ignore:``build_loss`` would be deprecated'),
]

CONFIGS = osp.join(REPO_ROOT, 'configs', 'hmsa')
HMSA = osp.join(CONFIGS,
                'deeplabv3plus-hmsa_r18-d8_1xb4-200iter_camvid-180x240.py')
SINGLE = osp.join(
    CONFIGS, 'deeplabv3plus-single_r18-d8_1xb4-200iter_camvid-180x240.py')


def load_tool():
    return load_module(
        'visualize_hmsa',
        osp.join(REPO_ROOT, 'tools', 'analysis_tools', 'visualize_hmsa.py'))


def test_writes_per_scale_predictions_and_shares(tmp_path):
    tool = load_tool()
    h, w = 45, 61
    img = np.random.default_rng(0).integers(0, 256, (h, w, 3), np.uint8)
    image = str(tmp_path / 'frame.png')
    cv2.imwrite(image, img)
    out = tmp_path / 'vis'
    written = tool.main([HMSA, 'none', image, '--out-dir', str(out)])
    names = ['pred', 'hmsa'] + [
        f'scale{s}_{k}' for s in ('0.5', '1', '2') for k in ('pred', 'weight')
    ] + ['scale0.5_attn', 'scale1_attn']  # 2.0's attention is not used
    assert sorted(written) == sorted(
        str(out / f'frame_{n}.png') for n in names)
    shares = 0
    for n in names:
        png = cv2.imread(str(out / f'frame_{n}.png'))
        if n == 'hmsa':  # 2 rows x (image + 3 scales), 18 px captions
            assert png.shape == (2 * (h + 18), 4 * w, 3)
        else:
            assert png.shape == (h, w, 3), n
        if n.endswith('_weight'):
            shares = shares + png[..., 0].astype(np.float64) / 255
    # the scales' shares of the joint prediction sum to 1 (8-bit rounding)
    assert np.abs(shares - 1).max() <= 2 / 255


def test_scales_option_and_errors(tmp_path, capsys):
    tool = load_tool()
    image = str(tmp_path / 'a.png')
    cv2.imwrite(image, np.zeros((30, 40, 3), np.uint8))
    written = tool.main([HMSA, 'none', image, '--scales', '1.0', '0.5'])
    assert str(tmp_path / 'a_scale0.5_attn.png') in written  # beside it
    assert not any('scale2' in p for p in written)
    with pytest.raises(SystemExit, match='must contain 1.0'):
        tool.main([HMSA, 'none', image, '--scales', '0.5', '2.0'])
    with pytest.raises(SystemExit, match='not a multi-scale attention'):
        tool.main([SINGLE, 'none', image])
    with pytest.raises(SystemExit, match='not found'):
        tool.main([HMSA, 'none', str(tmp_path / 'missing.png')])


@pytest.mark.parametrize('kind', ['explicit', 'cascade'])
def test_explicit_and_cascade_models(tmp_path, kind):
    from helpers import hmsa_dlv3p_cfg, hmsa_ocr_cfg
    from mmengine.config import Config
    model = copy.deepcopy(
        hmsa_dlv3p_cfg('explicit') if kind == 'explicit' else hmsa_ocr_cfg())
    model['data_preprocessor'].pop('size')  # no padding
    cfg_path = str(tmp_path / 'model.py')
    Config(
        dict(
            model=model,
            default_scope='mmseg',
            test_pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='PackSegInputs')
            ])).dump(cfg_path)
    image = str(tmp_path / 'b.png')
    cv2.imwrite(
        image,
        np.random.default_rng(1).integers(0, 256, (33, 41, 3), np.uint8))
    written = load_tool().main([cfg_path, 'none', image])
    assert any(p.endswith('b_scale0.5_attn.png') for p in written) == (
        kind == 'cascade')
    shares = sum(
        cv2.imread(str(tmp_path / f'b_scale{s}_weight.png'))[..., 0] / 255.
        for s in ('0.5', '1', '2'))
    assert shares.shape == (33, 41)
    assert np.abs(shares - 1).max() <= 2 / 255
