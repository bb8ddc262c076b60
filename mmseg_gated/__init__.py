# Copyright (c) mmseg_gated contributors. All rights reserved.
"""mmseg_gated: gated and multi-scale feature fusion for MMSegmentation 1.x.

Importing the package registers every module into mmseg's registries
(MODELS, DATASETS, TRANSFORMS, METRICS) and lets torch >= 2.6 load the
checkpoints mmengine's Runner saves.
"""
from .version import __version__
from .utils import register_checkpoint_safe_globals

from . import datasets, evaluation, models  # noqa: E402,F401  (registers)

register_checkpoint_safe_globals()

__all__ = ['__version__']
