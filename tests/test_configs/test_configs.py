"""Config sweep: every config under configs/ loads, builds its model (SyncBN
swapped for BN) and runs a training forward/backward and an inference pass on
a small input. A new config is tested by adding the file."""
import glob
import os.path as osp

import pytest
import torch
from helpers import REPO_ROOT, build_cpu_model, make_batch, num_classes_of
from mmengine.config import Config

CONFIGS = sorted(
    p for p in glob.glob(
        osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p.split(osp.sep))


def uses_align_corners(cfg):
    """Whether any dict of the config sets ``align_corners=True``."""
    if isinstance(cfg, dict):
        return cfg.get('align_corners') is True or any(
            uses_align_corners(v) for v in cfg.values())
    if isinstance(cfg, (list, tuple)):
        return any(uses_align_corners(v) for v in cfg)
    return False


def sweep_size(model_cfg):
    """64x64; 65x65 (sizes of the form n*8+1) for align_corners=True models,
    whose resizes are exact only there (mmseg warns otherwise)."""
    return (65, 65) if uses_align_corners(model_cfg) else (64, 64)


def test_configs_found():
    assert len(CONFIGS) > 0


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, REPO_ROOT) for p in CONFIGS])
def test_config_builds_and_trains(path):
    cfg = Config.fromfile(path)
    assert 'mmseg_gated' in cfg.get('custom_imports', {}).get('imports', []), \
        'configs must import the plugin through _base_/default_runtime.py'
    model_cfg = cfg.model
    size = sweep_size(model_cfg)
    preproc = model_cfg.get('data_preprocessor')
    if preproc is not None:
        preproc['size'] = size
    if 'module' in model_cfg:  # TTA wrappers
        model_cfg = model_cfg.module
        if model_cfg.get('data_preprocessor') is not None:  # GFF MS configs
            model_cfg['data_preprocessor']['size'] = size
    model_cfg.pop('pretrained', None)
    model_cfg.get('backbone', {}).pop('init_cfg', None)
    model = build_cpu_model(model_cfg)
    model.train()

    nc = num_classes_of(model_cfg)
    data = model.data_preprocessor(make_batch(nc, batch=2, size=size), True)
    losses = model(**data, mode='loss')
    loss, log_vars = model.parse_losses(losses)
    assert torch.isfinite(loss), log_vars
    loss.backward()
    n_grad = sum(
        p.grad is not None and bool(p.grad.abs().sum() > 0)
        for p in model.parameters())
    assert n_grad > 0

    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(
            make_batch(nc, batch=1, size=size), False)
        out = model(**data, mode='predict')
    assert out[0].pred_sem_seg.data.shape[-2:] == size
