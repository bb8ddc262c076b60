# Copyright (c) mmseg_gated contributors. All rights reserved.
from .gff_neck import GFFNeck

__all__ = [
    'GFFNeck',
]
