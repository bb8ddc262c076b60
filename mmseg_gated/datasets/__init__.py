# Copyright (c) mmseg_gated contributors. All rights reserved.
from .camvid import CamVidDataset
from .synthetic import SyntheticSegDataset
from .lip import LIPDataset  # GSTO
from .transforms import *  # noqa: F401,F403

__all__ = ['CamVidDataset', 'SyntheticSegDataset']
__all__ += ['LIPDataset']  # GSTO
__all__ += ['GenerateBoundaryBand', 'CenterCropZoom']  # GSCNN (transforms)
