# Copyright (c) mmseg_gated contributors. All rights reserved.
"""mmseg_gated: gated and multi-scale feature fusion for MMSegmentation 1.x.

Importing the package registers every module into mmseg's registries
(MODELS, DATASETS, TRANSFORMS, METRICS, HOOKS); every registered class is also
importable from here (``from mmseg_gated import GFFNeck``). It also makes
mmengine read local checkpoints without running pickled code: the one call
of :func:`~mmseg_gated.apis.enable_safe_checkpoint_loading` below.
"""
from . import visualization  # noqa: F401
from .apis import enable_safe_checkpoint_loading
from .datasets import *  # noqa: F401,F403
from .engine import *  # noqa: F401,F403
from .evaluation import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .version import __version__  # noqa: F401

# Importing the plugin replaces mmengine's loader of local checkpoint files
# (paths without a scheme; remote ones keep mmengine's): mmengine, and so
# load_from, mmseg's init_model and MMSegInferencer, read them with
# mmseg_gated.apis.load_checkpoint_file, which never runs pickled code and
# reads the Runner checkpoints that torch >= 2.6 refuses. Calling it again
# changes nothing.
enable_safe_checkpoint_loading()
