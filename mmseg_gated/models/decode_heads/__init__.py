# Copyright (c) mmseg_gated contributors. All rights reserved.
from .ddsm_sep_aspp_head import DDSMSepASPPHead  # DDSM
from .dense_aspp_head import DenseASPPHead  # GFF
from .gff_head import GFFHead  # GFF
from .ddsm_uper_head import DDSMUPerHead  # DDSM
from .mscale_ocr_head import MscaleOCRHead  # HMSA
from .mscale_sep_aspp_head import MscaleSepASPPHead  # HMSA
from .gsto_aux_head import GSTOAuxHead  # GSTO
from .gsto_psp_head import GSTOPSPHead  # GSTO
from .gsto_aspp_head import GSTOASPPHead  # GSTO
from .gsto_sep_aspp_head import GSTODepthwiseSeparableASPPHead  # GSTO
from .gscnn_head import GSCNNHead  # GSCNN

__all__ = []
__all__ += ['DenseASPPHead', 'GFFHead']  # GFF
__all__ += ['MscaleOCRHead', 'MscaleSepASPPHead']  # HMSA
__all__ += ['DDSMSepASPPHead', 'DDSMUPerHead']  # DDSM
__all__ += [
    'GSTOAuxHead', 'GSTOPSPHead', 'GSTOASPPHead',
    'GSTODepthwiseSeparableASPPHead'
]  # GSTO
__all__ += ['GSCNNHead']  # GSCNN
