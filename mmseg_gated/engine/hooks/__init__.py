# Copyright (c) mmseg_gated contributors. All rights reserved.
from .bad_sample_hook import BadSampleHook, BadSampleLimitError
from .checkpoint_coverage_hook import CheckpointCoverageHook
from .class_uniform_hook import ClassUniformHook
from .exact_resume_hook import ExactResumeHook
from .label_check_hook import LabelCheckHook
from .non_finite_guard_hook import NonFiniteError, NonFiniteGuardHook
from .preemption_hook import PreemptionHook

__all__ = [
    'BadSampleHook', 'BadSampleLimitError', 'NonFiniteError',
    'NonFiniteGuardHook', 'CheckpointCoverageHook', 'ExactResumeHook',
    'LabelCheckHook', 'PreemptionHook', 'ClassUniformHook'
]
