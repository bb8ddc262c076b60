# Copyright (c) mmseg_gated contributors. All rights reserved.
from .boundary_band import GenerateBoundaryBand  # GSCNN

__all__ = []
__all__ += ['GenerateBoundaryBand']  # GSCNN
