# Copyright (c) mmseg_gated contributors. All rights reserved.
from .boundary_band import GenerateBoundaryBand
from .center_crop_zoom import CenterCropZoom
from .centroid_crop import CentroidCrop
from .color_jitter import ColorJitter
from .gaussian_blur import RandomGaussianBlur
from .one_hot_edge_map import GenerateOneHotEdgeMap
from .random_brightness import RandomBrightness
from .random_rescale import RandomRescale
from .skip_bad_samples import SkipBadSamples

__all__ = [
    'GenerateBoundaryBand',
    'CenterCropZoom',
    'CentroidCrop',
    'ColorJitter',
    'RandomGaussianBlur',
    'GenerateOneHotEdgeMap',
    'RandomRescale',
    'RandomBrightness',
    'SkipBadSamples',
]
