# Copyright (c) mmseg_gated contributors. All rights reserved.
from .boundary_fscore import BoundaryFScoreMetric
from .cityscapes_iiou import CityscapesIIoUMetric

__all__ = [
    'BoundaryFScoreMetric',
    'CityscapesIIoUMetric',
]
