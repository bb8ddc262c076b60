# Copyright (c) mmseg_gated contributors. All rights reserved.
from .cityscapes_iiou import CityscapesIIoUMetric  # GSTO
from .boundary_fscore import BoundaryFScoreMetric  # GSCNN

__all__ = []
__all__ += ['CityscapesIIoUMetric']  # GSTO
__all__ += ['BoundaryFScoreMetric']  # GSCNN
