# Copyright (c) mmseg_gated contributors. All rights reserved.
from .mscale_encoder_decoder import MultiScaleAttentionEncoderDecoder  # HMSA
from .gscnn_encoder_decoder import GSCNNEncoderDecoder  # GSCNN

__all__ = []
__all__ += ['MultiScaleAttentionEncoderDecoder']  # HMSA
__all__ += ['GSCNNEncoderDecoder']  # GSCNN
