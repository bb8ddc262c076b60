# mmseg's runtime plus the plugin import, so Config.fromfile and every mmseg
# entry point find the mmseg_gated modules.
_base_ = ['mmseg::_base_/default_runtime.py']
custom_imports = dict(imports=['mmseg_gated'], allow_failed_imports=False)
# PreemptionHook: SIGTERM/SIGUSR1 finish the iteration, save and stop; atomic
# checkpoint writes. CheckpointCoverageHook: logs how much of the model a
# load_from checkpoint filled; stops testing a checkpoint that fills < 99%.
# ExactResumeHook: random-number state in checkpoints, so --resume continues
# as the unbroken run would have. LabelCheckHook: a label outside the classes
# (and not ignore_index) stops with the file name and the values.
# NonFiniteGuardHook: a non-finite loss (or gradient norm, without AMP) stops
# the run without applying that update or saving non-finite weights.
# BadSampleHook (off): enabled=True skips training samples whose files fail
# to load, and stops after max_bad_samples of them.
custom_hooks = [
    dict(type='PreemptionHook'),
    dict(type='ExactResumeHook'),
    dict(type='CheckpointCoverageHook', min_fraction=0.99),
    dict(type='LabelCheckHook'),
    dict(type='NonFiniteGuardHook', patience=1, enabled=True),
    dict(type='BadSampleHook', enabled=False, max_bad_samples=10),
]
