# Copyright (c) mmseg_gated contributors. All rights reserved.
from .checkpoint import (enable_trusted_checkpoint_loading,
                         load_local_checkpoint)
from .dist import setup_cpu_distributed

__all__ = [
    'enable_trusted_checkpoint_loading', 'load_local_checkpoint',
    'setup_cpu_distributed'
]
