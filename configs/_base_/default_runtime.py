# mmseg's runtime plus the plugin import, so Config.fromfile and every mmseg
# entry point find the mmseg_gated modules.
_base_ = ['mmseg::_base_/default_runtime.py']
custom_imports = dict(imports=['mmseg_gated'], allow_failed_imports=False)
