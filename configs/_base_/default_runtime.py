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
custom_hooks = [
    dict(type='PreemptionHook'),
    dict(type='ExactResumeHook'),
    dict(type='CheckpointCoverageHook', min_fraction=0.99),
    dict(type='LabelCheckHook'),
]
