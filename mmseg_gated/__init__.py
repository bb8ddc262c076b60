# Copyright (c) mmseg_gated contributors. All rights reserved.
"""mmseg_gated: gated and multi-scale feature fusion for MMSegmentation 1.x.

Importing the package registers every module into mmseg's registries
(MODELS, DATASETS, TRANSFORMS, METRICS, HOOKS); every registered class is also
importable from here (``from mmseg_gated import GFFNeck``).
"""
from . import visualization  # noqa: F401
from .datasets import *  # noqa: F401,F403
from .engine import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .utils.bad_samples import SkipBadSamples  # noqa: F401 (a transform)
from .utils.checkpoint import enable_safe_checkpoint_loading
from .version import __version__  # noqa: F401

# mmengine (and so mmseg's init_model, MMSegInferencer, load_from) reads local
# checkpoints through our loader: torch >= 2.6 refuses Runner checkpoints, and
# a full unpickle of a file could run code (see mmseg_gated.utils.checkpoint).
enable_safe_checkpoint_loading()
