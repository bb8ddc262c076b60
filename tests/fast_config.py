"""Faster ``Config.fromfile`` for the test session (same results).

mmengine 0.10.7 resolves every ``mmseg::`` base by first reading all of
mmseg's metafiles (about 160 YAML files, about 1 s here) and only then,
when the name is no model config, joining the package path; it also reloads
pkg_resources for its installed check each time. Metafiles list model
configs only, never ``_base_`` files, so ``install`` sends ``_base_`` names
to that fallback directly and caches the installed check; ``conftest.py``
calls it once. ``load_config`` additionally remembers each config it has
read (treat the returned configs as read-only).
"""
import functools

from mmengine.config import Config

_installed = False


def install():
    """Patch mmengine's config look-ups for this process (idempotent)."""
    global _installed
    if _installed:
        return
    import mmengine.config.config as mm_config
    real_lookup = mm_config._get_external_cfg_path

    def lookup(package_path, cfg_file):
        if cfg_file.startswith('_base_/'):
            # mmengine falls back to <package>/.mim/configs/<cfg_file>
            raise ValueError(f'{cfg_file} is a base config')
        return real_lookup(package_path, cfg_file)

    mm_config._get_external_cfg_path = lookup
    mm_config.is_installed = functools.lru_cache(None)(mm_config.is_installed)
    _installed = True


@functools.lru_cache(maxsize=None)
def load_config(path):
    """``Config.fromfile(path)``, read once per path and test session."""
    install()
    return Config.fromfile(path)
