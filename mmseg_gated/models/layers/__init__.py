# Copyright (c) mmseg_gated contributors. All rights reserved.
from .dcn_fusion import DCNFusion
from .ddsm import DDSM
from .dynamic_sampler import DynamicSampler
from .gate import SpatialGate
from .gated_conv import GatedConvLayer
from .gated_transfer import GatedScaleTransfer
from .gscnn_official_gated_conv import GSCNNOfficialGatedConvLayer
from .scale_attention import ScaleAttentionHead
from .supervised_gate import SupervisedGate

__all__ = [
    'DCNFusion',
    'DDSM',
    'DynamicSampler',
    'SpatialGate',
    'GatedConvLayer',
    'GatedScaleTransfer',
    'GSCNNOfficialGatedConvLayer',
    'ScaleAttentionHead',
    'SupervisedGate',
]
