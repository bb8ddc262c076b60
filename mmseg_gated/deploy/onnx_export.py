# Copyright (c) mmseg_gated contributors. All rights reserved.
"""ONNX export of mmseg_gated segmentors and its check with onnxruntime.

The exporter is torch's TorchScript-based one (``torch.onnx.export(...,
dynamo=False)``): it needs only ``onnx`` and ``onnxruntime`` (the ``onnx``
extra), where the torch.export-based default also needs ``onnxscript``.
"""
import inspect
import math
import warnings
from contextlib import contextmanager
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor

from .export_wrapper import SegmentorExportWrapper, gradient_input

DEFAULT_OPSET = 17  # GridSample (DDSM's sampler) needs 16


class ParityError(RuntimeError):
    """The ONNX model's output differs from PyTorch's by more than the
    tolerance."""


def _check_deps():
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as e:
        raise ImportError(
            'ONNX export needs onnx and onnxruntime: pip install onnx '
            'onnxruntime (or pip install -e .[onnx])') from e


# ---------------------------------------------------------------------------
# model preparation
def export_changes(model: nn.Module) -> List[str]:
    """What the exported graph computes differently from ``model`` in
    PyTorch, one line per module. The modules choose their traceable path
    themselves while ``torch.onnx.export`` runs
    (``torch.onnx.is_in_onnx_export()``); nothing is changed here:

    - :class:`DDSMSpatialBranch` with ``core='chunked'``: the chunked
      spatial core is an autograd Function that hides its ops from the
      tracer; the export runs the einsum core (same result to rounding:
      ``tests/test_ops/test_ddsm_core.py``).
    - :class:`DynamicSampler` with ``backend`` 'mmcv' or 'auto': mmcv's
      ``modulated_deform_conv2d`` has no ONNX op; the export runs
      ``grid_sample`` (ONNX ``GridSample``; the backends agree to 1e-5).
    """
    from mmseg_gated.models.layers import DDSMSpatialBranch, DynamicSampler
    lines = []
    for name, m in model.named_modules():
        if isinstance(m, DDSMSpatialBranch) and m.core != 'einsum':
            lines.append(f"{name}.core: {m.core!r} -> 'einsum'")
        if isinstance(m, DynamicSampler) and m.backend != 'torch':
            lines.append(f"{name}.backend: {m.backend!r} -> 'torch'")
    return lines


def _pool_matrix(size: int, out: int) -> np.ndarray:
    """``out x size`` matrix of adaptive average pooling along one axis:
    row ``i`` averages ``[floor(i size / out), ceil((i + 1) size / out))``,
    the bins of ``torch.nn.functional.adaptive_avg_pool2d``."""
    mat = np.zeros((out, size), dtype=np.float32)
    for i in range(out):
        start = (i * size) // out
        end = -(-((i + 1) * size) // out)
        mat[i, start:end] = 1.0 / (end - start)
    return mat


def _traced_sizes(g):
    """Sizes of the pooled tensor as traced in PyTorch (the ONNX value may
    have lost them: shape inference stops at some ops, e.g. GridSample of
    a DDSM feeding the next DDSM)."""
    node = getattr(g, 'original_node', None)
    if node is None:
        return None
    try:
        return node.inputsAt(0).type().sizes()
    except RuntimeError:  # not a complete tensor type
        return None


def _make_pool_symbolic(static: bool):
    """``aten::adaptive_avg_pool2d`` for any static input size.

    torch's own symbolic emits ``AveragePool`` and so only exports inputs
    that the output size divides (a PSP head with pool scales 1, 2, 3, 6 on
    a stride-8 feature: H and W multiples of 48). The bins of adaptive
    pooling are a linear map per axis, so this emits
    ``P_h @ x @ P_w^T`` with the two constant pooling matrices: the same
    result for every static size. Output 1 x 1 is ``GlobalAveragePool``
    (any size, dynamic included). With ``static`` the sizes traced in
    PyTorch are used where ONNX shape inference has none; a dynamic export
    never does that (it would bake the example's size into the graph)."""

    def symbolic(g, input, output_size):
        from torch.onnx import symbolic_helper as sh
        out = sh._maybe_get_const(output_size, 'is')
        if not isinstance(out, (list, tuple)) or len(out) != 2:
            raise ValueError('adaptive_avg_pool2d: output size must be '
                             f'constant for export, got {out!r}')
        if tuple(out) == (1, 1):
            return g.op('GlobalAveragePool', input)
        sizes = sh._get_tensor_sizes(input)
        if static and (sizes is None or None in sizes[2:]):
            sizes = _traced_sizes(g)
        if sizes is None or len(sizes) != 4 or None in sizes[2:]:
            raise ValueError(
                f'adaptive average pooling to {tuple(out)} of a feature '
                'whose size is dynamic has no ONNX op: export with a fixed '
                '--shape (no --dynamic). Models with a PSP/PPM pyramid or '
                'a DDSM channel branch need a static input size.')
        h, w = sizes[2], sizes[3]
        oh = h if out[0] is None else out[0]
        ow = w if out[1] is None else out[1]
        mat_h = torch.from_numpy(_pool_matrix(h, oh))
        mat_wt = torch.from_numpy(np.ascontiguousarray(_pool_matrix(w, ow).T))
        x = g.op('MatMul', input, g.op('Constant', value_t=mat_wt))
        return g.op('MatMul', g.op('Constant', value_t=mat_h), x)

    return symbolic


@contextmanager
def adaptive_pool_as_matmul(opset: int, static: bool = True):
    """Register :func:`_make_pool_symbolic`'s symbolic for
    ``aten::adaptive_avg_pool2d`` with torch's TorchScript exporter for the
    block, then remove it again."""
    name = 'aten::adaptive_avg_pool2d'
    torch.onnx.register_custom_op_symbolic(name, _make_pool_symbolic(static),
                                           opset)
    try:
        yield
    finally:
        torch.onnx.unregister_custom_op_symbolic(name, opset)


# ---------------------------------------------------------------------------
# export
def make_inputs(wrapper: SegmentorExportWrapper,
                shape: Sequence[int],
                batch_size: int = 1,
                seed: int = 0) -> Tuple[Tensor, ...]:
    """A seeded normalised batch (standard normal, as a normalised image's
    statistics) of ``batch_size x 3 x H x W`` and, for Gated-SCNN, its
    Canny map as the model computes it."""
    h, w = shape
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch_size, 3, h, w, generator=gen)
    if wrapper.needs_gradients:
        return x, gradient_input(wrapper.segmentor, x)
    return (x, )


def export_onnx(wrapper: SegmentorExportWrapper,
                inputs: Tuple[Tensor, ...],
                path: str,
                opset: int = DEFAULT_OPSET,
                dynamic: bool = False,
                log: Optional[List[str]] = None) -> None:
    """Trace ``wrapper`` on ``inputs`` and write the ONNX model to ``path``.

    Args:
        wrapper (SegmentorExportWrapper): The model to export.
        inputs (tuple[Tensor]): Example inputs (:func:`make_inputs`).
        path (str): Output file.
        opset (int): ONNX opset, at least 16. Default: 17.
        dynamic (bool): Batch, height and width as dynamic axes. Models that
            compute sizes in Python (multi-scale attention's rescaling)
            or pool to a fixed grid (PSP, DDSM's channel branch) cannot be
            dynamic; :func:`export_and_check` checks a second size to catch
            sizes baked into the graph. Default: False.
        log (list[str], optional): Receives :func:`export_changes`.
    """
    if opset < 16:
        raise ValueError(f'opset must be >= 16 (GridSample), got {opset}')
    scales = tuple(getattr(wrapper.segmentor, 'test_scales', (1.0, )))
    if dynamic and scales != (1.0, ):
        raise ValueError(
            f'multi-scale inference (test_scales={scales}) rescales the '
            'image to floor(H s) x floor(W s), computed in Python: the '
            'export holds for one input size. Drop --dynamic.')
    names = wrapper.input_names
    out_name = wrapper.output_name
    dynamic_axes = None
    if dynamic:
        axes = {0: 'batch', 2: 'height', 3: 'width'}
        dynamic_axes = {n: dict(axes) for n in names + [out_name]}
    kwargs = dict()
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False
    wrapper.eval()
    with warnings.catch_warnings():
        # the legacy exporter's deprecation notice and the tracer's notes on
        # Python values; a baked size is caught by the parity check at a
        # second size (export_and_check)
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        warnings.filterwarnings('ignore', category=DeprecationWarning)
        warnings.filterwarnings(
            'ignore', message='.*(legacy TorchScript|ONNX export mode).*')
        if log is not None:
            log.extend(export_changes(wrapper))
        with adaptive_pool_as_matmul(opset, static=not dynamic), \
                torch.no_grad():
            torch.onnx.export(
                wrapper,
                tuple(inputs),
                path,
                input_names=names,
                output_names=[out_name],
                opset_version=opset,
                dynamic_axes=dynamic_axes,
                do_constant_folding=True,
                **kwargs)


def add_metadata(path: str, props: Dict[str, str]) -> None:
    """Write ``props`` into the ONNX model's ``metadata_props``."""
    import onnx
    model = onnx.load(path)
    onnx.helper.set_model_props(model, {k: str(v) for k, v in props.items()})
    onnx.save(model, path)


def onnx_session(path: str):
    """An onnxruntime CPU session on ``path`` with torch's thread count."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = torch.get_num_threads()
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(
        path, sess_options=opts, providers=['CPUExecutionProvider'])


def run_onnx(session, names: Sequence[str], inputs: Tuple[Tensor,
                                                          ...]) -> np.ndarray:
    feed = {n: t.detach().cpu().numpy() for n, t in zip(names, inputs)}
    return session.run(None, feed)[0]


def compare(output: str, ref_logits: Tensor, got: np.ndarray,
            atol: float) -> Dict:
    """Compare an ONNX output with PyTorch's logits.

    For 'logits' the figure is the max abs difference. For 'label' it is
    the number of pixels whose labels differ although PyTorch's best class
    leads the next by more than ``2 atol`` (a near tie may flip under
    float32 rounding); such pixels fail the check.
    """
    ref = ref_logits.detach().cpu().numpy()
    if output == 'logits':
        if got.shape != ref.shape:
            return dict(
                ok=False,
                shape=got.shape,
                ref_shape=ref.shape,
                max_abs_diff=math.inf)
        diff = float(np.abs(got.astype(np.float64) - ref).max())
        return dict(
            ok=diff <= atol,
            shape=got.shape,
            max_abs_diff=diff,
            max_abs_ref=float(np.abs(ref).max()))
    if ref.shape[1] > 1:
        ref_label = ref.argmax(1)[:, None]
        top2 = np.sort(ref, axis=1)[:, -2:]
        gap = (top2[:, 1] - top2[:, 0])[:, None]
    else:
        ref_label = (ref > 0).astype(np.int64)
        gap = np.abs(ref)
    if got.shape != ref_label.shape:
        return dict(
            ok=False,
            shape=got.shape,
            ref_shape=ref_label.shape,
            mismatched=math.inf)
    differ = got != ref_label
    bad = int((differ & (gap > 2 * atol)).sum())
    return dict(
        ok=bad == 0,
        shape=got.shape,
        mismatched=int(differ.sum()),
        mismatched_clear=bad)


def export_and_check(model: nn.Module,
                     shape: Sequence[int],
                     path: str,
                     output: str = 'logits',
                     dynamic: bool = False,
                     opset: int = DEFAULT_OPSET,
                     atol: float = 1e-4,
                     check_shapes: Optional[Sequence[Sequence[int]]] = None,
                     seed: int = 0,
                     raise_on_fail: bool = True) -> Dict:
    """Export ``model`` to ONNX and compare onnxruntime with PyTorch.

    The PyTorch reference is the model as configured; where the graph
    computes a part differently (a DDSM's chunked core or mmcv sampler:
    :func:`export_changes`), the difference is inside the figures. For
    Gated-SCNN, PyTorch runs Canny inside and the ONNX model gets the same
    map as its second input.

    Args:
        model (nn.Module): The segmentor, on the CPU.
        shape (Sequence[int]): Export size (H, W).
        path (str): Output file.
        output (str): 'logits' (B x C x H x W) or 'label' (B x 1 x H x W).
            Default: 'logits'.
        dynamic (bool): See :func:`export_onnx`. Default: False.
        opset (int): ONNX opset. Default: 17.
        atol (float): Largest max abs difference of the logits that passes
            (for 'label': the near-tie margin). Default: 1e-4.
        check_shapes (list, optional): More (H, W) sizes to check, run with
            a batch of 2; only with ``dynamic``. Default: one of
            (H + 32, W + 16) when ``dynamic``.
        seed (int): Seed of the random input. Default: 0.
        raise_on_fail (bool): Raise :class:`ParityError` when a check fails.
            Default: True.

    Returns:
        dict: ``path``, ``inputs`` (names), ``output``, ``changes``
        (:func:`export_changes`) and ``checks``: one dict per checked input
        size (``input_shape`` and :func:`compare`'s figures).
    """
    _check_deps()
    import onnx
    if len(shape) != 2 or min(shape) < 1:
        raise ValueError(f'shape must be (H, W) > 0, got {tuple(shape)}')
    if check_shapes and not dynamic:
        raise ValueError('check_shapes need dynamic=True (a static model '
                         'runs only at its export size)')
    if dynamic and check_shapes is None:
        check_shapes = [(shape[0] + 32, shape[1] + 16)]
    model = model.cpu().eval()
    wrapper = SegmentorExportWrapper(model, output=output)
    reference = SegmentorExportWrapper(model, output='logits')
    inputs = make_inputs(wrapper, shape, seed=seed)
    log: List[str] = []
    export_onnx(wrapper, inputs, path, opset=opset, dynamic=dynamic, log=log)
    onnx.checker.check_model(path)
    session = onnx_session(path)
    runs = [(inputs, tuple(shape))]
    for k, s in enumerate(check_shapes or []):
        runs.append((make_inputs(wrapper, s, batch_size=2,
                                 seed=seed + 1 + k), tuple(s)))
    checks = []
    for x, s in runs:
        with torch.no_grad():
            ref = reference(*x)
        got = run_onnx(session, wrapper.input_names, x)
        res = compare(output, ref, got, atol)
        res['input_shape'] = tuple(x[0].shape)
        checks.append(res)
    result = dict(
        path=path,
        inputs=wrapper.input_names,
        output=output,
        changes=log,
        checks=checks)
    if raise_on_fail and not all(c['ok'] for c in checks):
        raise ParityError(f'ONNX output differs from PyTorch: {checks}')
    return result
