# Copyright (c) mmseg_gated contributors. All rights reserved.
from .boundary_band import GenerateBoundaryBand  # GSCNN
from .center_crop_zoom import CenterCropZoom  # GSCNN

__all__ = []
__all__ += ['GenerateBoundaryBand', 'CenterCropZoom']  # GSCNN
