# Copyright (c) mmseg_gated contributors. All rights reserved.
from .gscnn_encoder_decoder import GSCNNEncoderDecoder
from .hmsa_cascade_encoder_decoder import HMSACascadeEncoderDecoder
from .hmsa_encoder_decoder import HMSAEncoderDecoder
from .hmsa_mixin import HMSAMixin

__all__ = [
    'GSCNNEncoderDecoder',
    'HMSACascadeEncoderDecoder',
    'HMSAEncoderDecoder',
    'HMSAMixin',
]
