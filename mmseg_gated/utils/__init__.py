# Copyright (c) mmseg_gated contributors. All rights reserved.
from .atomic_io import (AtomicLocalBackend, CheckpointSaveError,
                        enable_atomic_checkpoint_writes)
from .bad_samples import (SkipBadSamples, is_loading_transform,
                          setup_bad_sample_skipping, truncation_problem)
from .checkpoint import (CheckpointLoadError, enable_safe_checkpoint_loading,
                         enable_trusted_checkpoint_loading,
                         load_checkpoint_file, load_local_checkpoint,
                         trust_checkpoint)
from .checkpoint_coverage import (CheckpointCoverage, CheckpointCoverageError,
                                  check_checkpoint_coverage,
                                  checkpoint_coverage, init_model_checked,
                                  init_tool_model)
from .dist import setup_cpu_distributed, teardown_distributed

__all__ = [
    'AtomicLocalBackend', 'CheckpointSaveError',
    'enable_atomic_checkpoint_writes', 'SkipBadSamples',
    'is_loading_transform', 'setup_bad_sample_skipping', 'truncation_problem',
    'CheckpointLoadError', 'enable_safe_checkpoint_loading',
    'enable_trusted_checkpoint_loading', 'load_checkpoint_file',
    'load_local_checkpoint', 'trust_checkpoint', 'CheckpointCoverage',
    'CheckpointCoverageError', 'check_checkpoint_coverage',
    'checkpoint_coverage', 'init_model_checked', 'init_tool_model',
    'setup_cpu_distributed', 'teardown_distributed'
]
