# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Functional ops (no parameters) and their FLOP handles; the modules that
use them are in :mod:`mmseg_gated.models.layers`."""
from .dynamic_sampling import (BACKENDS, DEFAULT_BACKEND, compute_dtype,
                               dynamic_sample, resolve_backend, sample_mmcv,
                               sample_rows, sample_torch)
from .flop_handles import FLOP_HANDLES
from .sampled_attn import (SampledAttentionMMCV, SampledAttentionTorch,
                           sampled_attention, sampled_attention_einsum)

__all__ = [
    'BACKENDS', 'DEFAULT_BACKEND', 'compute_dtype', 'dynamic_sample',
    'resolve_backend', 'sample_mmcv', 'sample_rows', 'sample_torch',
    'FLOP_HANDLES', 'SampledAttentionMMCV', 'SampledAttentionTorch',
    'sampled_attention', 'sampled_attention_einsum'
]
