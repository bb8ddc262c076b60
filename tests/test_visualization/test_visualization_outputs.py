"""mmseg_gated.visualization on the papers' small CamVid configs (random
weights): what the recorders read from the real models (GSTO's paper
layout, Gated-SCNN's Canny map and Eq. 2) and where the DDSM sampling
points land in image pixels, computed by hand."""
import glob
import math
import os.path as osp

import cv2
import mmcv
import numpy as np
import pytest
import torch
from helpers import REPO_ROOT, hand_grid, scene, write_image
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import mmseg_gated  # noqa: F401
from mmseg_gated.visualization import (GSCNNShapeStreamRecorder,
                                       GSTOGateRecorder, visualize_ddsm)

GSTO = osp.join(REPO_ROOT,
                'configs/gsto/fcn_gsto-hr18_1xb4-200iter_camvid-180x240.py')
GSCNN = osp.join(REPO_ROOT,
                 'configs/gscnn/gscnn_r18-d8_1xb4-120iter_camvid-180x240.py')
DDSM = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', 'ddsm',
                       '*ddsm-sc*r18*camvid*')))[0]


def hook_count(model):
    return sum(
        len(m._forward_hooks) + len(m._forward_pre_hooks)
        for m in model.modules())


def test_gsto_gates_of_the_paper_layout():
    """GSTOHRNet (the paper's layout) gates the cross-branch fuse paths and
    the three transitions."""
    init_default_scope('mmseg')
    cfg = Config.fromfile(GSTO).model
    cfg.backbone.type = 'GSTOHRNet'
    torch.manual_seed(0)
    model = MODELS.build(cfg).eval()
    rec = GSTOGateRecorder(model)
    want = set()
    for s in (2, 3, 4):
        stage = cfg.backbone.extra[f'stage{s}']
        b = stage['num_branches']
        want |= {
            f'stage{s}_m{m}_b{j}_to_b{i}'
            for m in range(stage['num_modules'])
            for i in range(b)
            for j in range(b) if i != j
        }
    assert set(
        rec.gates) == want | {'transition1', 'transition2', 'transition3'}
    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        with rec:
            feats = model.backbone(x)
        again = model.backbone(x)
    assert set(rec.maps) == set(rec.gates) and hook_count(model) == 0
    # path 0 -> 1 of the first stage-3 module gates the 1/4 branch
    assert rec.maps['stage3_m0_b0_to_b1'].shape == (1, 1, 16, 24)
    assert rec.maps['stage4_m2_b3_to_b0'].shape == (1, 1, 2, 3)
    assert all(0 < float(g.min()) and float(g.max()) < 1
               for g in rec.maps.values())
    assert all(torch.equal(a, b) for a, b in zip(feats, again))


def test_gscnn_maps_through_the_test_pipeline(tmp_path):
    """Canny of the image resized by the config's test pipeline, Eq. 2 with
    the recorded attention, and the fused map from the 1x1 conv."""
    from mmseg.apis import inference_model

    from mmseg_gated.apis import init_model_checked
    torch.manual_seed(0)
    model = init_model_checked(GSCNN, None)
    img = scene()
    img_path = str(tmp_path / 'scene.png')
    cv2.imwrite(img_path, img)
    gcls = GSCNNShapeStreamRecorder(model).gcls
    seen = {}
    handles = [
        g.register_forward_hook(
            lambda m, i, o, t=t: seen.__setitem__(t, (i[0], o)))
        for t, g in enumerate(gcls, 1)
    ]
    try:
        with GSCNNShapeStreamRecorder(model) as rec:
            result = inference_model(model, img_path)
    finally:
        for h in handles:
            h.remove()
    assert hook_count(model) == 0
    h, w = result.metainfo['img_shape'][:2]
    resized = mmcv.imrescale(img, (240, 180), interpolation='bilinear')
    assert resized.shape[:2] == (h, w)
    expected = cv2.Canny(resized, 10, 100) > 0
    assert expected.sum() > 100
    np.testing.assert_array_equal(rec.maps['gradients'][:h, :w] > 0.5,
                                  expected)
    assert len(gcls) == 3
    for t, gcl in enumerate(gcls, 1):  # Eq. 2: conv(s * alpha + s)
        s, out = seen[t]
        alpha = torch.from_numpy(rec.maps[f'gcl{t}'])[None, None]
        assert alpha.shape[2:] == s.shape[2:] == (h, w)
        assert 0 < alpha.min() and alpha.max() < 1
        torch.testing.assert_close(
            gcl.conv(s[:1] * alpha + s[:1]), out[:1], rtol=1e-5, atol=1e-5)
    wts = model.decode_head.gradient_fuse.weight.detach().view(2).numpy()
    fused = 1 / (
        1 +
        np.exp(-(wts[0] * rec.maps['edge'] + wts[1] * rec.maps['gradients'])))
    np.testing.assert_allclose(rec.maps['fused'], fused, rtol=1e-5, atol=1e-6)


@pytest.fixture(scope='module')
def ddsm_model():
    from mmseg_gated.apis import init_model_checked
    torch.manual_seed(0)
    return init_model_checked(DDSM, None, device='cpu')


def test_ddsm_known_offsets_move_points_by_the_stride(ddsm_model, tmp_path):
    """Offset conv weight 0 and bias dx = +1, dy = -0.5 at every point of
    the spatial sampler, dx = +1 of the channel sampler, modulation bias
    log 3 (sigmoid 0.75): the spatial points move by (-0.5, +1) x the
    stride in image pixels, the channel cells one column right."""
    model = ddsm_model
    image = write_image(tmp_path / 'frame.png', 180, 240)
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        for fusion in model.decode_head.fusions.values():
            spatial = fusion.spatial_branch.sampler
            for sampler in (spatial, fusion.channel_branch.sampler):
                conv = sampler.conv_offset
                torch.nn.init.zeros_(conv.weight)
                bias = torch.zeros_like(conv.bias)
                bias[1::2] = 1.0  # dx
                if sampler is spatial:
                    bias[0::2] = -0.5  # dy
                conv.bias.data.copy_(bias)
                torch.nn.init.zeros_(sampler.conv_mask.weight)
                torch.nn.init.constant_(sampler.conv_mask.bias, math.log(3))
        res = visualize_ddsm(model, image, [(90, 120)], [27],
                             str(tmp_path / 'vis'))
        assert hook_count(model) == 0
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


def test_ddsm_resized_image_and_errors(ddsm_model, tmp_path):
    """A 90 x 120 image is resized to 180 x 240 by the test pipeline: one
    DDSM pixel of level 0 is 2 image pixels."""
    image = write_image(tmp_path / 'small.png', 90, 120)
    res = visualize_ddsm(ddsm_model, image, [(45, 60)], [0])
    lvl0 = res['decode_head_fusions_0']
    assert lvl0['stride'] == pytest.approx((2.0, 2.0))
    np.testing.assert_allclose(
        lvl0['spatial'][(45, 60)][:, :2], hand_grid(22, 30, 2), atol=1e-9)
    assert osp.isfile(
        osp.join(
            str(tmp_path), 'small_ddsm',
            'decode_head_fusions_0_spatial_y45_x60.png'))
    with pytest.raises(ValueError, match='outside the 90 x 120 image'):
        visualize_ddsm(ddsm_model, image, [(90, 0)])
    with pytest.raises(ValueError, match='channel 64 is not in 0..63'):
        visualize_ddsm(ddsm_model, image, [(1, 1)], [64])
