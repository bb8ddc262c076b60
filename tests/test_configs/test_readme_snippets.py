"""Every Python block of the READMEs builds as a config: models are built
and run forward at 64x64, metrics are built. A block that replaces a base
dict without ``_delete_=True`` fails here, as it fails for users."""
import glob
import os.path as osp
import re

import pytest
import torch
from helpers import REPO_ROOT
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmseg.registry import METRICS, MODELS

import mmseg_gated  # noqa: F401

# The snippets inherit mmseg's own model bases, whose CrossEntropyLoss keeps
# mmseg's default avg_non_ignore=False and warns about it at every build: a
# user building the same config sees the same warning.
pytestmark = pytest.mark.filterwarnings(
    'ignore:Default ``avg_non_ignore`` is False:UserWarning')
BLOCK = re.compile(r'```python\n(.*?)```', re.S)


def snippets():
    found = []
    for path in [osp.join(REPO_ROOT, 'README.md')] + sorted(
            glob.glob(osp.join(REPO_ROOT, 'configs', '*', 'README.md'))):
        with open(path) as f:
            text = f.read()
        for i, match in enumerate(BLOCK.finditer(text)):
            line = text[:match.start()].count('\n') + 1
            found.append(
                pytest.param(
                    match.group(1),
                    id=f'{osp.relpath(path, REPO_ROOT)}:{line}'))
    return found


def build_model(model_cfg):
    model_cfg = model_cfg.copy()
    model_cfg.pop('pretrained', None)
    if 'init_cfg' in model_cfg.get('backbone', {}):
        model_cfg.backbone.init_cfg = None
    model = revert_sync_batchnorm(MODELS.build(model_cfg))
    return model.eval()


@pytest.mark.parametrize('code', snippets())
def test_readme_snippet_builds(code, tmp_path):
    # "..." in a _base_ list stands for the user's dataset/schedule bases
    code = re.sub(r',\s*\.\.\.\s*\]', ']', code)
    path = tmp_path / 'snippet.py'
    path.write_text(code)
    cfg = Config.fromfile(str(path))
    built = 0
    if 'model' in cfg and 'type' in cfg.model:
        model = build_model(cfg.model)
        with torch.no_grad():
            out = model(torch.randn(1, 3, 64, 64), mode='tensor')
        out = out[0] if isinstance(out, (list, tuple)) else out
        assert out.shape[0] == 1 and torch.isfinite(out).all()
        built += 1
    for key in ('val_evaluator', 'test_evaluator'):
        evaluators = cfg.get(key, [])
        for evaluator in (evaluators
                          if isinstance(evaluators, list) else [evaluators]):
            METRICS.build(evaluator)
            built += 1
    assert built, 'the snippet defines neither a model nor an evaluator'
