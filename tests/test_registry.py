"""Every class that mmseg_gated registers builds from a minimal config.

Minimal configs live in ``tests/build_cases/*.py`` as ``CASES``: a dict from
registered class name to its config dict. A registered class with no case
fails ``test_every_registered_class_has_a_case``.
"""
import glob
import os.path as osp

import pytest
from helpers import REPO_ROOT, load_module
from mmseg.registry import DATASETS, METRICS, MODELS, TRANSFORMS

import mmseg_gated  # noqa: F401

REGISTRIES = dict(
    MODELS=MODELS, DATASETS=DATASETS, TRANSFORMS=TRANSFORMS, METRICS=METRICS)


def load_cases():
    cases = {}
    for path in sorted(
            glob.glob(osp.join(REPO_ROOT, 'tests', 'build_cases', '*.py'))):
        mod = load_module('build_cases_' + osp.splitext(osp.basename(path))[0],
                          path)
        for name, cfg in mod.CASES.items():
            assert name not in cases, f'{name} has two build cases'
            cases[name] = cfg
    return cases


def registered_classes():
    found = {}
    for reg_name, reg in REGISTRIES.items():
        for name, cls in reg.module_dict.items():
            if cls.__module__.startswith('mmseg_gated'):
                found[name] = (reg_name, cls)
    return found


CASES = load_cases()
REGISTERED = registered_classes()


def test_plugin_registers_something():
    assert 'CamVidDataset' in REGISTERED
    assert 'SyntheticSegDataset' in REGISTERED


def test_every_registered_class_has_a_case():
    missing = sorted(set(REGISTERED) - set(CASES))
    assert not missing, f'no minimal config in tests/build_cases for {missing}'


@pytest.mark.parametrize('name', sorted(REGISTERED))
def test_builds_from_minimal_config(name, tmp_path):
    reg_name, cls = REGISTERED[name]
    cfg = CASES[name]
    if callable(cfg):  # a case may need a temporary folder
        cfg = cfg(tmp_path)
    cfg = dict(cfg, type=name)
    from mmseg.models.decode_heads.decode_head import BaseDecodeHead
    if issubclass(cls, BaseDecodeHead):  # mmseg warns on its default
        cfg.setdefault('loss_decode',
                       dict(type='CrossEntropyLoss', avg_non_ignore=True))
    obj = REGISTRIES[reg_name].build(cfg)
    assert isinstance(obj, cls)


def test_registered_classes_importable_from_package():
    missing = [
        n for n in REGISTERED
        if getattr(mmseg_gated, n, None) is not REGISTERED[n][1]
    ]
    assert not missing, f'not importable from mmseg_gated: {missing}'
