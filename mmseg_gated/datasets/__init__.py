# Copyright (c) mmseg_gated contributors. All rights reserved.
from .camvid import CamVidDataset  # noqa: F401
from .class_uniform import ClassUniformDataset  # noqa: F401
from .lip import LIPDataset  # noqa: F401
from .synthetic import SyntheticSegDataset  # noqa: F401
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _transforms

__all__ = [
    'CamVidDataset', 'ClassUniformDataset', 'LIPDataset', 'SyntheticSegDataset'
] + _transforms
