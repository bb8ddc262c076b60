# Copyright (c) mmseg_gated contributors. All rights reserved.
from .camvid import CamVidDataset
from .lip import LIPDataset
from .synthetic import SyntheticSegDataset
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _transforms

__all__ = ['CamVidDataset', 'LIPDataset', 'SyntheticSegDataset'] + _transforms
