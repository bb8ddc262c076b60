# Copyright (c) mmseg_gated contributors. All rights reserved.
"""ONNX export (tools/deployment/pytorch2onnx.py, mmseg_gated.deploy): one
small model per paper (random weights, logits scaled to a trained model's
range), exported and run by onnxruntime, compared with PyTorch's
whole-image inference of the same model. Skipped without onnx and
onnxruntime (``pip install -e .[onnx]``)."""
import os.path as osp

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from helpers import REPO_ROOT, load_module

import mmseg_gated  # noqa: F401
from mmseg_gated.apis import init_model_checked
from mmseg_gated.deploy import (SegmentorExportWrapper,
                                adaptive_pool_as_matmul, compare,
                                export_and_check, gradient_input, make_inputs,
                                needs_gradient_input, onnx_session, run_onnx)
from mmseg_gated.deploy.onnx_export import _pool_matrix
from mmseg_gated.models.layers import DDSM, DynamicSampler

# mmseg_gated.deploy needs neither to import; the tests need both
onnx = pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')

TOOL = osp.join(REPO_ROOT, 'tools', 'deployment', 'pytorch2onnx.py')
# the CamVid 180x240 CPU-check configs: R18 / HRNet-W18, random weights
CONFIGS = dict(
    gff='configs/gff/gffnet_r18-d8_1xb2-100iter_camvid-180x240.py',
    gscnn='configs/gscnn/gscnn_r18-d8_1xb4-120iter_camvid-180x240.py',
    ddsm='configs/ddsm/upernet-ddsm-sc_r18_1xb4-200iter_camvid-180x240.py',
    hmsa='configs/hmsa/'
    'deeplabv3plus-hmsa_r18-d8_1xb4-200iter_camvid-180x240.py',
    gsto='configs/gsto/fcn_gsto-hr18_1xb4-200iter_camvid-180x240.py')
SHAPE = (64, 96)
ATOL = 1e-4


def _perturb(model: nn.Module,
             seed: int = 0,
             max_logit: float = 10.0) -> nn.Module:
    """Random BN statistics and affine parameters, random sampler offsets
    (several pixels, fractional) and the classifier scaled so that the
    largest logit is ``max_logit`` (a trained model's range): a parity of
    1e-4 then says something, and every sampled point is off the grid."""
    gen = torch.Generator().manual_seed(seed)

    def rand(t, lo, hi):
        return lo + (hi - lo) * torch.rand(t.shape, generator=gen)

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(rand(m.running_mean, -0.2, 0.2))
                m.running_var.copy_(rand(m.running_var, 0.5, 1.5))
                m.weight.copy_(rand(m.weight, 0.5, 1.5))
                m.bias.copy_(rand(m.bias, -0.2, 0.2))
            if isinstance(m, DynamicSampler):
                m.conv_offset.weight.copy_(
                    rand(m.conv_offset.weight, -0.5, 0.5))
                m.conv_offset.bias.copy_(rand(m.conv_offset.bias, -2, 2))
                m.conv_mask.weight.copy_(rand(m.conv_mask.weight, -0.5, 0.5))
        if needs_gradient_input(model):
            # Gated-SCNN: let the Canny map move the fused boundary map
            model.decode_head.gradient_fuse.weight.copy_(
                torch.tensor([1.0, 4.0]).view(1, 2, 1, 1))
        model.eval()
        x = torch.randn(1, 3, *SHAPE, generator=gen)
        inputs = (x, gradient_input(model, x)) \
            if needs_gradient_input(model) else (x, )
        scale = max_logit / SegmentorExportWrapper(model)(*inputs).abs().max()
        heads = model.decode_head if isinstance(
            model.decode_head, nn.ModuleList) else [model.decode_head]
        for head in heads:
            head.conv_seg.weight.mul_(scale)
            head.conv_seg.bias.mul_(scale)
    return model


def _build(name: str, max_logit: float = 10.0) -> nn.Module:
    torch.manual_seed(0)
    model = init_model_checked(osp.join(REPO_ROOT, CONFIGS[name]), None)
    return _perturb(model, max_logit=max_logit)


def _check(res: dict, min_logit: float = 5) -> None:
    for c in res['checks']:
        assert c['ok'], c
        assert c['max_abs_diff'] <= ATOL, c
        # the check compares something: logits well above the tolerance
        assert c['max_abs_ref'] > min_logit, c


def _parity(name, tmp_path, **kwargs):
    model = _build(name)
    res = export_and_check(
        model, SHAPE, str(tmp_path / f'{name}.onnx'), atol=ATOL, **kwargs)
    _check(res)
    return model, res


def test_pool_matrix_is_adaptive_avg_pool():
    """The constant matrices of the pooling symbolic against torch's
    adaptive_avg_pool2d, divisible and not, down and up."""
    x = torch.randn(2, 3, 13, 7, dtype=torch.float64)
    for out in [(1, 1), (2, 3), (3, 2), (6, 6), (13, 7), (16, 16)]:
        ph = torch.from_numpy(_pool_matrix(13, out[0])).double()
        pw = torch.from_numpy(_pool_matrix(7, out[1])).double()
        got = ph @ x @ pw.T
        want = F.adaptive_avg_pool2d(x, out)
        assert torch.allclose(got, want, atol=1e-6), out


def test_pool_symbolic_is_scoped(tmp_path):
    """Inside the block a pool the output size does not divide exports
    and matches torch; outside, torch's own symbolic is back (it refuses)."""
    pool = nn.Sequential(nn.Conv2d(3, 4, 1), nn.AdaptiveAvgPool2d((3, 5)))
    x = torch.randn(1, 3, 8, 12)
    path = str(tmp_path / 'pool.onnx')
    kwargs = dict(input_names=['x'], opset_version=17, dynamo=False)
    with pytest.warns(DeprecationWarning), adaptive_pool_as_matmul(17):
        torch.onnx.export(pool, (x, ), path, **kwargs)
    got = run_onnx(onnx_session(path), ['x'], (x, ))
    assert torch.allclose(torch.from_numpy(got), pool(x), atol=1e-6)
    with pytest.warns(DeprecationWarning), pytest.raises(
            Exception, match='factor'):
        torch.onnx.export(pool, (x, ), path, **kwargs)


def test_gff_parity(tmp_path):
    """GFFHead (PPM context with pool scales 1, 2, 3, 6 on an 8 x 12
    feature, which torch's exporter refuses; gates, DFP)."""
    _parity('gff', tmp_path)


def test_gscnn_parity_with_gradient_input(tmp_path):
    """Canny runs outside: the ONNX model takes it as a second input, and
    with it equals PyTorch (which runs Canny inside); the input is used,
    not a constant of the trace; the head is left as it was."""
    model, res = _parity('gscnn', tmp_path)
    assert res['inputs'] == ['input', 'gradients']
    head = model.decode_head
    assert 'image_gradients' not in vars(head)
    sess = onnx_session(res['path'])
    wrapper = SegmentorExportWrapper(model)
    x = torch.randn(1, 3, *SHAPE, generator=torch.Generator().manual_seed(5))
    grads = gradient_input(model, x)
    assert 0 < grads.mean() < 1
    with torch.no_grad():
        ref = wrapper(x, grads)
    got = run_onnx(sess, res['inputs'], (x, grads))
    assert compare('logits', ref, got, ATOL)['ok']
    without = run_onnx(sess, res['inputs'], (x, torch.zeros_like(grads)))
    assert abs(without - got).max() > 10 * ATOL
    with pytest.raises(ValueError, match='gradients'):
        wrapper(x)


def test_gscnn_dynamic_label(tmp_path):
    """Dynamic batch and size (checked at 2 x 96 x 112 too) and the label
    map as output."""
    model = _build('gscnn')
    res = export_and_check(
        model,
        SHAPE,
        str(tmp_path / 'gscnn_dyn.onnx'),
        output='label',
        dynamic=True,
        atol=ATOL)
    assert [c['input_shape'] for c in res['checks']] == [(1, 3) + SHAPE,
                                                         (2, 3, 96, 112)]
    for c in res['checks']:
        assert c['ok'] and c['mismatched_clear'] == 0, c
    graph = onnx.load(res['path']).graph
    assert graph.output[0].type.tensor_type.elem_type == \
        onnx.TensorProto.INT64


def test_ddsm_parity_grid_sample(tmp_path):
    """DDSM exported with the grid_sample sampler and einsum core, which the
    modules pick during the export, random off-grid offsets. ONNX against
    the model as configured (chunked core, one sampler on mmcv's
    deformable-conv op), and both against float64; the model is left as
    configured.

    Eq. 2's unscaled dot products amplify float32 rounding: at logits up to
    10 PyTorch's own float32 result is ~5e-5 off float64 here, so this model
    is scaled to logits up to 5."""
    model = _build('ddsm', max_logit=5.0)
    spatial = [
        m.spatial_branch for m in model.modules() if isinstance(m, DDSM)
    ]
    assert spatial and all(m.core == 'chunked' for m in spatial)
    sampler = spatial[0].sampler
    sampler.backend = 'mmcv'
    with torch.no_grad():
        off, _ = sampler.offset_and_mask(
            torch.randn(1, sampler.in_channels, 4, 4))
    assert (off - off.round()).abs().max() > 0.1
    res = export_and_check(
        model, SHAPE, str(tmp_path / 'ddsm.onnx'), atol=ATOL)
    _check(res, min_logit=2.5)
    assert any("'mmcv' -> 'torch'" in c for c in res['changes'])
    assert any("'chunked' -> 'einsum'" in c for c in res['changes'])
    assert sampler.backend == 'mmcv' and sampler.active_backend == 'mmcv'
    assert all(m.core == 'chunked' for m in spatial)
    ops = {n.op_type for n in onnx.load(res['path']).graph.node}
    assert 'GridSample' in ops
    # float64 truth: ONNX no further from it than PyTorch's float32
    wrapper = SegmentorExportWrapper(model)
    x = make_inputs(wrapper, SHAPE)
    got = torch.from_numpy(run_onnx(onnx_session(res['path']), ['input'],
                                    x)).double()
    with torch.no_grad():
        ref32 = wrapper(*x).double()
        ref64 = wrapper.double()(x[0].double())
    err_onnx = (got - ref64).abs().max()
    err_torch = (ref32 - ref64).abs().max()
    assert err_onnx <= 2 * err_torch + 1e-6, (err_onnx, err_torch)


def test_hmsa_parity_fixed_scales(tmp_path):
    """Hierarchical attention over test_scales 0.5, 1, 2 at a fixed size;
    --dynamic is refused (the rescaled sizes are Python ints)."""
    model, _ = _parity('hmsa', tmp_path)
    assert model.test_scales == (0.5, 1.0, 2.0)
    with pytest.raises(ValueError, match='Drop --dynamic'):
        export_and_check(model, SHAPE, str(tmp_path / 'x.onnx'), dynamic=True)


def test_gsto_parity(tmp_path):
    """GSTO-HRNet-W18 (authors' layout: gated fuse paths, supervised
    gates) with an FCN head."""
    _parity('gsto', tmp_path)


def test_parity_failure_is_reported():
    ref = torch.zeros(1, 2, 2, 2)
    got = ref.numpy().copy()
    got[0, 0, 0, 0] = 1e-3
    assert not compare('logits', ref, got, ATOL)['ok']
    ref[0, 1] = 1.0  # class 1 everywhere, by a clear margin
    label = torch.zeros(1, 1, 2, 2, dtype=torch.long).numpy()
    res = compare('label', ref, label, ATOL)
    assert not res['ok'] and res['mismatched_clear'] == 4


def _save(state_dict: dict, path: str) -> str:
    meta = dict(
        dataset_meta=dict(
            classes=[str(i) for i in range(11)], palette=[[0, 0, 0]] * 11))
    torch.save(dict(meta=meta, state_dict=state_dict), path)
    return path


def _tool():
    return load_module('pytorch2onnx', TOOL)


def test_cli_checkpoint_and_errors(tmp_path, capsys):
    """The tool on a checkpoint file: prints the parity, writes the
    preprocessing into the metadata; --dynamic on a PPM model and a
    checkpoint of another model stop with a clear error."""
    tool = _tool()
    cfg = osp.join(REPO_ROOT, CONFIGS['gff'])
    ckpt = _save(_build('gff').state_dict(), str(tmp_path / 'gff.pth'))
    out = str(tmp_path / 'gff.onnx')
    res = tool.main([cfg, ckpt, '--shape', *map(str, SHAPE), '--output', out])
    _check(res)
    text = capsys.readouterr().out
    assert 'max abs diff' in text and 'ok' in text
    meta = {p.key: p.value for p in onnx.load(out).metadata_props}
    assert meta['mean'] == '123.675,116.28,103.53'
    assert meta['output'] == 'logits' and meta['checkpoint'] == 'gff.pth'
    with pytest.raises(SystemExit, match='fixed --shape'):
        tool.main([
            cfg, 'none', '--shape', *map(str, SHAPE), '--dynamic', '--output',
            out
        ])
    # a checkpoint of another model (none of its keys is this model's)
    other = _save({'head.w': torch.ones(1)}, str(tmp_path / 'other.pth'))
    with pytest.raises(SystemExit, match='allow-partial'):
        tool.main([cfg, other, '--shape', *map(str, SHAPE), '--output', out])
