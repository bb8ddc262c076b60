# Copyright (c) mmseg_gated contributors. All rights reserved.
from .gate import SpatialGate
from .scale_attention import ScaleAttentionHead  # HMSA
from .dcn_fusion import DCNFusion  # DDSM
from .ddsm import DDSM  # DDSM
from .dynamic_sampler import DynamicSampler  # DDSM
from .supervised_gate import SupervisedGate  # GSTO
from .gated_transfer import GatedScaleTransfer  # GSTO
from .gated_conv import GatedConvLayer  # GSCNN

__all__ = ['SpatialGate']
__all__ += ['ScaleAttentionHead']  # HMSA
__all__ += ['DCNFusion', 'DDSM', 'DynamicSampler']  # DDSM
__all__ += ['SupervisedGate', 'GatedScaleTransfer']  # GSTO
__all__ += ['GatedConvLayer']  # GSCNN
