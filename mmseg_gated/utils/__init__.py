# Copyright (c) mmseg_gated contributors. All rights reserved.
from .checkpoint import register_checkpoint_safe_globals
from .dist import setup_cpu_distributed

__all__ = ['register_checkpoint_safe_globals', 'setup_cpu_distributed']
