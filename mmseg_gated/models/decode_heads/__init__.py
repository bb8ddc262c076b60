# Copyright (c) mmseg_gated contributors. All rights reserved.
from .ddsm_sep_aspp_head import DDSMSepASPPHead
from .ddsm_uper_head import DDSMUPerHead
from .dense_aspp_head import DenseASPPHead
from .gff_head import GFFHead
from .gff_official_head import GFFOfficialHead
from .gscnn_head import GSCNNHead
from .gscnn_official_head import GSCNNOfficialHead
from .gsto_aspp_head import GSTOASPPHead
from .gsto_aux_head import GSTOAuxHead
from .gsto_psp_head import GSTOPSPHead
from .gsto_sep_aspp_head import GSTOSepASPPHead
from .hmsa_ocr_head import HMSAOCRHead
from .hmsa_sep_aspp_head import HMSASepASPPHead

__all__ = [
    'DDSMSepASPPHead',
    'DDSMUPerHead',
    'DenseASPPHead',
    'GFFHead',
    'GFFOfficialHead',
    'GSCNNHead',
    'GSCNNOfficialHead',
    'GSTOASPPHead',
    'GSTOAuxHead',
    'GSTOPSPHead',
    'GSTOSepASPPHead',
    'HMSAOCRHead',
    'HMSASepASPPHead',
]
