# Copyright (c) mmseg_gated contributors. All rights reserved.
from .gscnn_encoder_decoder import GSCNNEncoderDecoder
from .mscale_encoder_decoder import MultiScaleAttentionEncoderDecoder

__all__ = [
    'GSCNNEncoderDecoder',
    'MultiScaleAttentionEncoderDecoder',
]
