# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Deployment: ONNX export of the segmentors (tools/deployment/)."""
from .export_wrapper import (SegmentorExportWrapper, gradient_input,
                             gradients_from_input, needs_gradient_input)
from .onnx_export import (DEFAULT_OPSET, ParityError, adaptive_pool_as_matmul,
                          add_metadata, compare, export_and_check,
                          export_changes, export_onnx, make_inputs,
                          onnx_session, run_onnx)

__all__ = [
    'SegmentorExportWrapper', 'gradient_input', 'gradients_from_input',
    'needs_gradient_input', 'DEFAULT_OPSET', 'ParityError',
    'adaptive_pool_as_matmul', 'add_metadata', 'compare', 'export_and_check',
    'export_changes', 'export_onnx', 'make_inputs', 'onnx_session', 'run_onnx'
]
