"""tools/analysis_tools/visualize_gscnn.py on the CamVid Gated-SCNN config
with random weights: files and sizes, and that each hooked map is what the
model computes (Canny of the resized image by OpenCV, Eq. 2 with the hooked
attention, the edge logits of the segmentor's own forward)."""
import importlib.util
import os.path as osp
import sys

import cv2
import mmcv
import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CFG = osp.join(ROOT,
               'configs/gscnn/gscnn_r18-d8_1xb4-120iter_camvid-180x240.py')
pytestmark = [
    pytest.mark.filterwarnings('ignore:pkg_resources is deprecated'),
    pytest.mark.filterwarnings('ignore:``build_loss`` would be deprecated'),
]


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'visualize_gscnn',
        osp.join(ROOT, 'tools/analysis_tools/visualize_gscnn.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def scene(h=75, w=101):
    """Flat rectangles on a mild gradient: Canny finds their borders."""
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = np.linspace(40, 90, w, dtype=np.uint8)[None, :, None]
    img[10:40, 15:60] = (200, 30, 30)
    img[45:70, 50:95] = (20, 180, 60)
    img[5:25, 70:90] = (250, 250, 250)
    return img


def build(tool, head_type=None):
    from mmseg_gated.utils import init_model_checked
    cfg = tool.load_config(CFG)
    if head_type is not None:
        cfg.model.decode_head.type = head_type
    torch.manual_seed(0)
    return init_model_checked(cfg, None)


def hook_count(model):
    return sum(len(m._forward_hooks) for m in model.modules())


@pytest.fixture(scope='module')
def tool():
    return load_tool()


@pytest.fixture(scope='module')
def model(tool):
    return build(tool)


def test_pngs_and_sizes(tool, model, tmp_path, capsys):
    img_path = str(tmp_path / 'scene.png')
    cv2.imwrite(img_path, scene())
    paths = tool.visualize(model, img_path, str(tmp_path / 'out'))
    assert list(paths) == [
        'pred', 'gradients', 'edge', 'fused', 'gcl1', 'gcl2', 'gcl3',
        'overview'
    ]
    for name, path in paths.items():
        png = cv2.imread(path)
        assert png is not None, name
        if name != 'overview':
            assert png.shape == (75, 101, 3), name
    # 4 columns x 2 rows of labelled tiles at the image size
    assert cv2.imread(paths['overview']).shape == (2 * (75 + 22), 4 * 101, 3)
    grads = cv2.imread(paths['gradients'])
    assert set(np.unique(grads)) <= {0, 255} and grads.max() == 255
    out = capsys.readouterr().out
    assert 'gcl3: min' in out and 'of the pixels are Canny edges' in out
    assert hook_count(model) == 0  # the hooks are gone


def test_maps_are_what_the_model_computes(tool, model, tmp_path):
    from mmseg.apis import inference_model

    from mmseg_gated.models.layers.gated_conv import GatedConvLayer
    img = scene()
    img_path = str(tmp_path / 'scene.png')
    cv2.imwrite(img_path, img)

    # the GCLs' inputs and outputs, by hooks of the test's own
    seen = {}
    gcls = [
        m for m in model.decode_head.modules()
        if isinstance(m, GatedConvLayer)
    ]
    handles = [
        g.register_forward_hook(
            lambda m, i, o, t=t: seen.__setitem__(t, (i[0], o)))
        for t, g in enumerate(gcls, 1)
    ]
    try:
        with tool.GSCNNMapRecorder(model.decode_head) as rec:
            result = inference_model(model, img_path)
    finally:
        for h in handles:
            h.remove()
    h, w = result.metainfo['img_shape'][:2]

    # Canny: OpenCV on the image resized as the config's test pipeline does
    resized = mmcv.imrescale(img, (240, 180), interpolation='bilinear')
    assert resized.shape[:2] == (h, w)
    expected = cv2.Canny(resized, 10, 100) > 0
    assert expected.sum() > 100
    np.testing.assert_array_equal(rec.maps['gradients'][:h, :w] > 0.5,
                                  expected)

    # Eq. 2: GCL output = conv(s * alpha + s) with the hooked alpha
    assert len(gcls) == 3
    for t, gcl in enumerate(gcls, 1):
        s, out = seen[t]
        alpha = torch.from_numpy(rec.maps[f'gcl{t}'])[None, None]
        assert alpha.shape[2:] == s.shape[2:] == (h, w)
        assert 0 < alpha.min() and alpha.max() < 1
        torch.testing.assert_close(
            gcl.conv(s[:1] * alpha + s[:1]), out[:1], rtol=1e-5, atol=1e-5)

    # fused = sigmoid(w0 * edge + w1 * gradients), the 1x1 conv's weights
    wts = model.decode_head.gradient_fuse.weight.detach().view(2).numpy()
    fused = 1 / (
        1 +
        np.exp(-(wts[0] * rec.maps['edge'] + wts[1] * rec.maps['gradients'])))
    np.testing.assert_allclose(rec.maps['fused'], fused, rtol=1e-5, atol=1e-6)


def test_edge_map_matches_segmentor_forward(tool, model):
    x = torch.randn(2, 3, 64, 80)
    with torch.no_grad():
        with tool.GSCNNMapRecorder(model.decode_head) as rec:
            _, edge_logits = model._forward(x)
        assert hook_count(model) == 0
        _, again = model._forward(x)
    np.testing.assert_allclose(
        rec.maps['edge'],
        torch.sigmoid(edge_logits)[0, 0].numpy(),
        rtol=1e-6,
        atol=1e-6)
    torch.testing.assert_close(again, edge_logits)  # no state left behind


def test_authors_layout_and_no_gradients(tool):
    model = build(tool, 'GSCNNOfficialHead')
    x = torch.randn(1, 3, 48, 64)
    with torch.no_grad(), tool.GSCNNMapRecorder(model.decode_head) as rec:
        model._forward(x)
    assert sorted(
        rec.maps) == ['edge', 'fused', 'gcl1', 'gcl2', 'gcl3', 'gradients']
    for t in (1, 2, 3):  # the authors' gate ends in a sigmoid as well
        m = rec.maps[f'gcl{t}']
        assert m.shape == (48, 64) and 0 <= m.min() and m.max() <= 1

    model.decode_head.gradient_fuse = None
    model.decode_head.use_gradients = False
    with torch.no_grad(), tool.GSCNNMapRecorder(model.decode_head) as rec:
        model._forward(x)
    assert not rec.has_gradients and 'gradients' not in rec.maps
    with pytest.raises(ValueError, match='not a Gated-SCNN head'):
        tool.GSCNNMapRecorder(torch.nn.Conv2d(3, 3, 1))


def test_cli_checkpoint_coverage(tool, model, tmp_path, monkeypatch, capsys):
    img_path = str(tmp_path / 'scene.jpg')
    cv2.imwrite(img_path, scene(60, 80))
    # the backbone alone: most of the parameters, not 99% of them
    ckpt = str(tmp_path / 'backbone_only.pth')
    state = {
        k: v
        for k, v in model.state_dict().items() if k.startswith('backbone.')
    }
    meta = dict(
        dataset_meta=dict(
            classes=[f'c{i}' for i in range(11)],
            palette=[[20 * i, 255 - 20 * i, 0] for i in range(11)]))
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
    monkeypatch.setattr(
        sys, 'argv',
        ['visualize_gscnn.py', CFG, 'none',
         str(tmp_path / 'missing.png')])
    with pytest.raises(SystemExit, match='no image file'):
        tool.main()
