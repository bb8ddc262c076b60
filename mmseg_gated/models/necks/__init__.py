# Copyright (c) mmseg_gated contributors. All rights reserved.
from .gff_neck import GFFNeck
from .gff_official_neck import GFFOfficialNeck

__all__ = [
    'GFFNeck',
    'GFFOfficialNeck',
]
