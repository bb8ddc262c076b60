# Copyright (c) mmseg_gated contributors. All rights reserved.
from .checkpoint_coverage_hook import CheckpointCoverageHook
from .class_uniform_hook import ClassUniformHook
from .exact_resume_hook import ExactResumeHook
from .label_check_hook import LabelCheckHook
from .preemption_hook import PreemptionHook

__all__ = [
    'CheckpointCoverageHook', 'ClassUniformHook', 'ExactResumeHook',
    'LabelCheckHook', 'PreemptionHook'
]
