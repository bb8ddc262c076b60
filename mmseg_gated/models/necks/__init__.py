# Copyright (c) mmseg_gated contributors. All rights reserved.
from .gff_neck import GFFNeck  # GFF

__all__ = []
__all__ += ['GFFNeck']  # GFF
