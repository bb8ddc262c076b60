"""``Config.fromfile`` for tests that read many configs.

mmengine 0.10.7 resolves every ``mmseg::`` base by first reading all of
mmseg's metafiles (159 YAML files, about 1 s on this machine) and only then,
when the name is no model config, joining the package path: three
``mmseg::`` bases cost a config about 3 s. ``load_config`` remembers that
look-up (mmseg's metafiles do not change during a test run) and each
config it has read; the configs are the ones ``Config.fromfile`` returns
(treat them as read-only).
"""
import copy
import functools

import mmengine.config.utils as cfg_utils
from mmengine.config import Config

_metainfo = cfg_utils._get_cfg_metainfo
_looked_up = {}


def _remembered_metainfo(package_path, cfg_path):
    key = (package_path, cfg_path)
    if key not in _looked_up:
        try:
            _looked_up[key] = (_metainfo(package_path, cfg_path), None)
        except ValueError as error:  # a base config: no metafile entry
            _looked_up[key] = (None, error)
    info, error = _looked_up[key]
    if error is not None:
        raise error
    return copy.deepcopy(info)


@functools.lru_cache(maxsize=None)
def load_config(path):
    """``Config.fromfile(path)``, read once per path and test session."""
    cfg_utils._get_cfg_metainfo = _remembered_metainfo
    try:
        return Config.fromfile(path)
    finally:
        cfg_utils._get_cfg_metainfo = _metainfo
