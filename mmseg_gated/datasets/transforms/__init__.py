# Copyright (c) mmseg_gated contributors. All rights reserved.
from .boundary_band import GenerateBoundaryBand
from .center_crop_zoom import CenterCropZoom

__all__ = [
    'GenerateBoundaryBand',
    'CenterCropZoom',
]
