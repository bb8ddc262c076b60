"""Gated-SCNN head and segmentor: image hand-over, shape stream, losses."""
import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import GSCNN_CLASSES, build_cpu_model, gscnn_cfg, make_batch
from mmengine.config import ConfigDict

import mmseg_gated  # noqa: F401


def test_denormalize_recovers_image():
    model = build_cpu_model(gscnn_cfg())
    batch = make_batch(GSCNN_CLASSES, batch=1, size=(40, 40))
    data = model.data_preprocessor(batch, False)
    img = model.denormalize(data['inputs'])
    rgb = batch['inputs'][0].flip(0).float()  # bgr_to_rgb
    torch.testing.assert_close(img[0], rgb, atol=1e-3, rtol=0)


def test_canny_on_real_image_values():
    model = build_cpu_model(gscnn_cfg())
    img = torch.zeros(1, 3, 20, 20)
    img[..., 10:] = 200.
    edges = model.decode_head.image_gradients(img)
    assert edges.shape == (1, 1, 20, 20)
    cols = edges[0, 0].sum(0).nonzero().flatten().tolist()
    assert set(cols) <= {9, 10} and edges.sum() >= 20


def test_head_gets_image_of_each_slide_window():
    model = build_cpu_model(gscnn_cfg())
    model.eval()
    seen = []
    orig = model.decode_head.image_gradients

    def record(img):
        seen.append(img.clone())
        return orig(img)

    model.decode_head.image_gradients = record
    model.test_cfg = ConfigDict(
        mode='slide', crop_size=(24, 24), stride=(16, 16))
    batch = make_batch(GSCNN_CLASSES, batch=1, size=(40, 40))
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        out = model(**data, mode='predict')
    assert out[0].pred_sem_seg.shape == (40, 40)
    assert len(seen) == 4 and all(s.shape[-2:] == (24, 24) for s in seen)
    full = batch['inputs'][0].flip(0).float()
    torch.testing.assert_close(
        seen[-1][0], full[:, 16:40, 16:40], atol=1e-3, rtol=0)


def test_train_losses_and_gradients():
    torch.manual_seed(0)
    model = build_cpu_model(gscnn_cfg())
    model.train()
    batch = make_batch(GSCNN_CLASSES, batch=2, size=(40, 40), ignore_ratio=0)
    # blocky labels so that the boundary band is not everywhere
    for s in batch['data_samples']:
        lab = torch.zeros(1, 40, 40, dtype=torch.long)
        lab[:, :, 20:] = 1
        lab[:, 5:15, 5:15] = 2
        s.gt_sem_seg.data = lab
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    for k in ('decode.loss_ce', 'decode.loss_edge',
              'decode.loss_dual_boundary', 'decode.loss_dual_consistency'):
        assert k in losses and torch.isfinite(losses[k])
    assert losses['decode.loss_edge'] > 0
    loss, _ = model.parse_losses(losses)
    loss.backward()
    head = model.decode_head
    for name in ('shape_blocks', 'shape_reduces', 'gcls', 'side_outputs',
                 'edge_out', 'gradient_fuse', 'edge_branch'):
        grads = [p.grad for p in getattr(head, name).parameters()]
        assert all(g is not None for g in grads), name
        assert sum(g.abs().sum() for g in grads) > 0, name


def test_edge_target_from_pipeline_is_used():
    model = build_cpu_model(gscnn_cfg())
    batch = make_batch(GSCNN_CLASSES, batch=2, size=(40, 40))
    from mmengine.structures import PixelData
    for s in batch['data_samples']:
        s.gt_edge_map = PixelData(data=torch.full((1, 40, 40), 255))
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    assert losses['decode.loss_edge'].item() == 0  # all ignored


def test_variants_and_errors():
    model = build_cpu_model(
        gscnn_cfg(
            use_gradients=False,
            loss_dual_boundary=None,
            loss_dual_consistency=None))
    assert not hasattr(model.decode_head, 'gradient_fuse')
    data = model.data_preprocessor(
        make_batch(GSCNN_CLASSES, size=(40, 40)), True)
    losses = model(**data, mode='loss')
    assert 'decode.loss_dual_boundary' not in losses
    with pytest.raises(ValueError, match='GSCNNEncoderDecoder'):
        model.decode_head(model.extract_feat(data['inputs']))
    with pytest.raises(ValueError, match='gate_in_index'):
        build_cpu_model(gscnn_cfg(gate_in_index=(1, 2)))
    with pytest.raises(ValueError, match='canny_thresholds'):
        build_cpu_model(gscnn_cfg(canny_thresholds=(10, )))


def test_losses_take_the_heads_ignore_index():
    """mmseg's heads pass their ignore_index at call time; a head with
    another value than 255 trains (labels 254 are ignored everywhere)."""
    torch.manual_seed(0)
    model = build_cpu_model(gscnn_cfg(ignore_index=254))
    batch = make_batch(GSCNN_CLASSES, batch=2, size=(40, 40), ignore_ratio=0.2)
    for s in batch['data_samples']:
        lab = s.gt_sem_seg.data
        lab[lab == 255] = 254
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    for k in ('decode.loss_ce', 'decode.loss_edge',
              'decode.loss_dual_boundary', 'decode.loss_dual_consistency'):
        assert torch.isfinite(losses[k]), k


@pytest.mark.filterwarnings('ignore:When align_corners=True:UserWarning')
def test_official_head_layout():
    """GSCNNOfficialHead (the authors' layout, for their checkpoints): its
    gates, plain ASPP and decoder, the normalised input for the gradient
    step and the final upsampling with align_corners=False."""
    from mmcv.cnn import DepthwiseSeparableConvModule
    from mmseg.models.decode_heads.aspp_head import ASPPModule

    from mmseg_gated.models.layers import GSCNNOfficialGatedConvLayer
    model = build_cpu_model(
        gscnn_cfg(type='GSCNNOfficialHead', align_corners=True))
    head = model.decode_head
    assert all(isinstance(g, GSCNNOfficialGatedConvLayer) for g in head.gcls)
    assert type(head.aspp_modules) is ASPPModule
    assert head.bottleneck.conv.kernel_size == (1, 1)
    assert not head.bottleneck.with_norm and head.bottleneck.conv.bias is None
    assert not head.c1_bottleneck.with_norm
    assert not any(
        isinstance(m, DepthwiseSeparableConvModule) for m in head.modules())
    # the head gets the normalised batch itself
    seen = []
    orig = head.image_gradients

    def record(img):
        seen.append(img)
        return orig(img)

    head.image_gradients = record
    model.eval()
    data = model.data_preprocessor(
        make_batch(GSCNN_CLASSES, size=(40, 40)), False)
    with torch.no_grad():
        seg, edge = model._forward(data['inputs'])
    assert torch.equal(seen[0], data['inputs'])
    assert seg.shape[1] == GSCNN_CLASSES and edge.shape[-2:] == (40, 40)
    # the final upsampling ignores align_corners=True (theirs passes none)
    meta = [dict(img_shape=(40, 40), pad_shape=(40, 40))]
    torch.testing.assert_close(
        head.predict_by_feat(seg, meta),
        F.interpolate(seg, (40, 40), mode='bilinear', align_corners=False))


def test_official_gradient_step_wraps_like_numpy_uint8():
    """The authors cast the normalised tensor to uint8: -1.3 -> 255 (numpy
    on x86-64 truncates and wraps), 0.9 -> 0, 2.5 -> 2."""
    model = build_cpu_model(gscnn_cfg(type='GSCNNOfficialHead'))
    x = torch.full((1, 3, 20, 20), 0.9)
    x[..., 10:] = -1.3  # uint8 0 | 255: an edge
    x[..., 15:, :] = 2.5  # uint8 2 on the bottom rows
    edges = model.decode_head.image_gradients(x)
    img = np.zeros((20, 20, 3), np.uint8)
    img[:, 10:] = 255
    img[15:, :] = 2
    want = cv2.Canny(img, 10, 100) > 0
    assert want.sum() > 20
    assert torch.equal(edges[0, 0], torch.from_numpy(want).float())
    # the paper head clamps de-normalised pixels instead: no edge at all
    paper = build_cpu_model(gscnn_cfg()).decode_head.image_gradients(x)
    assert paper.sum() == 0
