# Copyright (c) mmseg_gated contributors. All rights reserved.
from .checkpoint import (CheckpointLoadError, enable_safe_checkpoint_loading,
                         load_checkpoint_file, loaded_state_shapes,
                         trust_checkpoint)
from .checkpoint_coverage import (CheckpointCoverage, CheckpointCoverageError,
                                  check_checkpoint_coverage,
                                  checkpoint_coverage)
from .inference import init_model_checked, init_tool_model

__all__ = [
    'CheckpointLoadError', 'enable_safe_checkpoint_loading',
    'load_checkpoint_file', 'loaded_state_shapes', 'trust_checkpoint',
    'CheckpointCoverage', 'CheckpointCoverageError',
    'check_checkpoint_coverage', 'checkpoint_coverage', 'init_model_checked',
    'init_tool_model'
]
