# Copyright (c) mmseg_gated contributors. All rights reserved.
from .atomic_io import (AtomicLocalBackend, CheckpointSaveError,
                        enable_atomic_checkpoint_writes)
from .dist import setup_cpu_distributed, teardown_distributed
from .hooks import *  # noqa: F401,F403
from .hooks import __all__ as _hooks
from .hooks.bad_sample_hook import setup_bad_sample_skipping

__all__ = [
    'AtomicLocalBackend', 'CheckpointSaveError',
    'enable_atomic_checkpoint_writes', 'setup_cpu_distributed',
    'teardown_distributed', 'setup_bad_sample_skipping'
]
__all__ += _hooks
