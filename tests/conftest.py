# Shared helpers for the test suite. Deliberately no tests/__init__.py: the
# mmsegmentation wheel installs a top-level ``tests`` package.
import os
import os.path as osp
import sys

import pytest
import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(REPO_ROOT, 'tests'))

import fast_config  # noqa: E402  (tests/ is on sys.path from here on)

# configs with ``mmseg::`` bases load in milliseconds instead of seconds
fast_config.install()

if 'OMP_NUM_THREADS' not in os.environ:
    # small shapes gain little from more threads; OpenMP spin-waits badly
    # when the machine is oversubscribed
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


def camvid_root():
    """The real CamVid folder: $CAMVID_ROOT, else ../shared/data/camvid."""
    candidates = [
        os.environ.get('CAMVID_ROOT', ''),
        osp.join(REPO_ROOT, '..', 'shared', 'data', 'camvid'),
        osp.join(REPO_ROOT, 'data', 'camvid'),
    ]
    for c in candidates:
        if c and osp.isfile(osp.join(c, 'train.txt')):
            return osp.abspath(c)
    return None


@pytest.fixture
def real_camvid():
    root = camvid_root()
    if root is None:
        pytest.skip('CamVid not found (set CAMVID_ROOT or place it at '
                    '../shared/data/camvid)')
    return root


@pytest.fixture(autouse=True)
def _mmseg_scope():
    from mmengine.registry import init_default_scope
    init_default_scope('mmseg')
    yield
