# Copyright (c) mmseg_gated contributors. All rights reserved.
from .dcn_fusion import DCNFusion
from .ddsm import DDSM
from .dynamic_sampler import DynamicSampler
from .explicit_scale_fusion import ExplicitScaleFusion
from .gate import SpatialGate
from .gated_conv import GatedConvLayer
from .gated_transfer import GatedScaleTransfer
from .gscnn_official_gated_conv import GSCNNOfficialGatedConvLayer
from .hierarchical_scale_fusion import HierarchicalScaleFusion
from .scale_attention import ScaleAttentionHead
from .supervised_gate import SupervisedGate

__all__ = [
    'DCNFusion',
    'DDSM',
    'DynamicSampler',
    'ExplicitScaleFusion',
    'SpatialGate',
    'GatedConvLayer',
    'GatedScaleTransfer',
    'GSCNNOfficialGatedConvLayer',
    'HierarchicalScaleFusion',
    'ScaleAttentionHead',
    'SupervisedGate',
]
