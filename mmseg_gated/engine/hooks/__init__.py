# Copyright (c) mmseg_gated contributors. All rights reserved.
from .checkpoint_coverage_hook import CheckpointCoverageHook
from .preemption_hook import PreemptionHook

__all__ = ['CheckpointCoverageHook', 'PreemptionHook']
