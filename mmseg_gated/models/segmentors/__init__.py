# Copyright (c) mmseg_gated contributors. All rights reserved.
from .gscnn_encoder_decoder import GSCNNEncoderDecoder
from .mscale_attention_mixin import MultiScaleAttentionMixin
from .mscale_cascade_encoder_decoder import \
    MultiScaleAttentionCascadeEncoderDecoder
from .mscale_encoder_decoder import MultiScaleAttentionEncoderDecoder

__all__ = [
    'GSCNNEncoderDecoder',
    'MultiScaleAttentionCascadeEncoderDecoder',
    'MultiScaleAttentionEncoderDecoder',
    'MultiScaleAttentionMixin',
]
