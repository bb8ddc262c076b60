# Copyright (c) mmseg_gated contributors. All rights reserved.
"""What the gated and multi-scale modules compute, drawn for one image.

One recorder per observable part, each a context manager that puts forward
hooks on an unmodified model and takes them off on leaving the ``with``
block (:class:`HookRecorder`), a ``visualize_*`` function per part that
runs a model on an image and writes the PNGs of
``tools/analysis_tools/visualize_<paper>.py``, and the drawing they share
(:mod:`.drawing`).
"""
from .ddsm_sampling import DDSMSamplingRecorder, ddsm_summary, visualize_ddsm
from .feature_mapping import FeatureMapping
from .gff_gates import GFFGateRecorder, visualize_gff
from .gscnn_shape_stream import GSCNNShapeStreamRecorder, visualize_gscnn
from .gsto_gates import GSTOGateRecorder, visualize_gsto
from .hook_recorder import HookRecorder
from .scale_attention import ScaleAttentionRecorder, visualize_scale_attention
from .tool_args import visualizer_parser

__all__ = [
    'HookRecorder', 'GFFGateRecorder', 'GSTOGateRecorder',
    'GSCNNShapeStreamRecorder', 'ScaleAttentionRecorder',
    'DDSMSamplingRecorder', 'FeatureMapping', 'visualize_gff',
    'visualize_gsto', 'visualize_gscnn', 'visualize_scale_attention',
    'visualize_ddsm', 'ddsm_summary', 'visualizer_parser'
]
