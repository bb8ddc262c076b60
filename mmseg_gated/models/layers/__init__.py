# Copyright (c) mmseg_gated contributors. All rights reserved.
from .dcn_fusion import DCNFusion
from .ddsm import DDSM
from .ddsm_channel_branch import DDSMChannelBranch
from .ddsm_spatial_branch import DDSMSpatialBranch
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
    'DDSMChannelBranch',
    'DDSMSpatialBranch',
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
