"""Small utilities shared by the tests (imported as ``helpers``)."""
import importlib.util
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.model import revert_sync_batchnorm
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

# the repository root: every test names files of the repo from here, so a
# test file's depth under tests/ does not matter
REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def make_batch(num_classes, batch=2, size=(64, 64), seed=0, ignore_ratio=0.1):
    """Random uint8 images and SegDataSamples as a dataloader yields them."""
    rng = np.random.default_rng(seed)
    h, w = size
    inputs, samples = [], []
    for _ in range(batch):
        inputs.append(
            torch.from_numpy(rng.integers(0, 256, (3, h, w), dtype=np.uint8)))
        label = rng.integers(0, num_classes, (1, h, w))
        label[rng.random((1, h, w)) < ignore_ratio] = 255
        sample = SegDataSample(
            metainfo=dict(
                img_shape=(h, w),
                ori_shape=(h, w),
                pad_shape=(h, w),
                scale_factor=(1.0, 1.0),
                flip=False,
                flip_direction=None,
                img_path='fake.png'))
        sample.gt_sem_seg = PixelData(data=torch.from_numpy(label).long())
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def build_cpu_model(model_cfg):
    """Build a segmentor from a config dict, with SyncBN swapped for BN."""
    from mmseg.registry import MODELS
    model = MODELS.build(model_cfg)
    return revert_sync_batchnorm(model)


def num_classes_of(model_cfg):
    head = model_cfg.get('decode_head')
    if isinstance(head, (list, tuple)):
        head = head[-1]
    if head is not None and 'num_classes' in head:
        return int(head['num_classes'])
    return 19


def hrnet_extra(widths=(4, 8, 16, 32), stem=8, modules=(1, 1, 1)):
    """mmseg's HRNet ``extra`` dict with one block per branch.

    Args:
        widths: Branch widths of stage 4 (stages 2 and 3 use the first two
            and three).
        stem: Width of the stage-1 bottleneck.
        modules: Number of HR modules of stages 2, 3 and 4.
    """

    def stage(branches, num_modules):
        return dict(
            num_modules=num_modules,
            num_branches=branches,
            block='BASIC',
            num_blocks=(1, ) * branches,
            num_channels=tuple(widths[:branches]))

    return dict(
        stage1=dict(
            num_modules=1,
            num_branches=1,
            block='BOTTLENECK',
            num_blocks=(1, ),
            num_channels=(stem, )),
        stage2=stage(2, modules[0]),
        stage3=stage(3, modules[1]),
        stage4=stage(4, modules[2]))


def reference_dir(paper):
    """The oracle folder (``$MMSEG_GATED_REFERENCE`` or
    ``../shared/reference``); skips the test when ``paper``'s fixtures are
    not there."""
    root = os.environ.get('MMSEG_GATED_REFERENCE') or osp.join(
        REPO_ROOT, '..', 'shared', 'reference')
    if not osp.isfile(osp.join(root, paper, 'fixtures.npz')):
        pytest.skip(f'oracle for {paper} not found under '
                    f'{osp.abspath(root)} (set MMSEG_GATED_REFERENCE to the '
                    'reference folder)')
    return root


def load_module(name, path):
    """Import a file (a tool, or the oracle's weights.py) as a module.

    Args:
        name: The module's name (as its ``__name__``; not registered in
            ``sys.modules``).
        path: The file; a relative path is taken from the repository root
            (``'tools/test.py'``).
    """
    spec = importlib.util.spec_from_file_location(name,
                                                  osp.join(REPO_ROOT, path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def rel_diff(ours, theirs):
    """max |ours - theirs| / max |theirs| (the oracle's measure)."""
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    return ((ours - theirs).abs().max() / theirs.abs().max()).item()


def pipeline_transforms(pipeline):
    """Every transform of a pipeline, TestTimeAug branches flattened."""
    for t in pipeline:
        yield t
        if t['type'] == 'TestTimeAug':
            for branch in t['transforms']:
                yield from pipeline_transforms(branch)


def pipeline_types(pipeline):
    """The ``type`` of every transform (TestTimeAug branches flattened)."""
    return [t['type'] for t in pipeline_transforms(pipeline)]
