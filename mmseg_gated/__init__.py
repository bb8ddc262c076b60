# Copyright (c) mmseg_gated contributors. All rights reserved.
"""mmseg_gated: gated and multi-scale feature fusion for MMSegmentation 1.x.

Importing the package registers every module into mmseg's registries
(MODELS, DATASETS, TRANSFORMS, METRICS); every registered class is also
importable from here (``from mmseg_gated import GFFNeck``).
"""
from .datasets import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .version import __version__
