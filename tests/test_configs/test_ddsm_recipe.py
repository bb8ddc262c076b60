"""DDSM training recipe (configs/ddsm/README.md, "Training recipe"): the
paper (Implementation details) states SGD, momentum 0.9, weight decay 5e-4,
lr 0.01 decayed by (1 - epoch / max_epoch) ** 0.9, and exactly three
augmentations: random horizontal flip, random resize in [0.75, 2], random
crop (1024 Cityscapes, 720 CamVid). No colour jitter, no class-ratio crop
re-draw; the Cityscapes-pretrained CamVid row starts from the Table 3
model's work dir; the test-set model never loads annotations.
"""
import glob
import os.path as osp
import re

import numpy as np
import pytest
from fast_config import load_config
from helpers import REPO_ROOT, pipeline_types
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope
from PIL import Image

import mmseg_gated  # noqa: F401

pytestmark = [
    pytest.mark.filterwarnings('ignore:pkg_resources is deprecated'),
]

DDSM = osp.join(REPO_ROOT, 'configs', 'ddsm')
# the paper's reproduction configs (the 180x240 CamVid CPU checks are not)
PAPER = sorted(
    f for f in glob.glob(osp.join(DDSM, '*.py')) if '180x240' not in f)
TABLE3 = 'upernet-ddsm-sc-n25_r101_4xb2-80k_cityscapes-1024x1024'
CAMVID_PRE = 'upernet-ddsm-sc-n25_r101-cityscapes-pre_4xb2-40k_camvid-720x720'
NAME = re.compile(r'_(\d+)xb(\d+)-(\d+)k_')


def load(name):
    if not name.endswith('.py'):
        name = osp.join(DDSM, name + '.py')
    return load_config(name)


@pytest.mark.parametrize('path', PAPER, ids=osp.basename)
def test_optimiser_and_schedule(path):
    """SGD 0.01 / 0.9 / 5e-4 on every parameter; poly 0.9 down to 0,
    ending at the name's length; the name's NxbM is the config's."""
    cfg = load(path)
    _, per_gpu, length = NAME.search(osp.basename(path)).groups()
    assert cfg.train_dataloader.batch_size == int(per_gpu)
    assert cfg.train_cfg.max_iters == int(length) * 1000
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == ('SGD', 0.01,
                                                                  0.9, 5e-4)
    assert 'paramwise_cfg' not in cfg.optim_wrapper
    (poly, ) = cfg.param_scheduler
    assert (poly.type, poly.power, poly.eta_min,
            poly.by_epoch) == ('PolyLR', 0.9, 0.0, False)
    # no `end`: mmengine ends the poly at train_cfg.max_iters
    assert poly.get('end') is None
    hooks = cfg.default_hooks
    assert cfg.train_cfg.max_iters % hooks.checkpoint.interval == 0


@pytest.mark.parametrize('path', PAPER, ids=osp.basename)
def test_only_the_papers_augmentation(path):
    cfg = load(path)
    dataset = cfg.train_dataloader.dataset
    pipelines = ([d.pipeline for d in dataset.datasets]
                 if dataset.type == 'ConcatDataset' else [dataset.pipeline])
    crop = 720 if 'camvid' in path else 1024
    for pipeline in pipelines:
        assert pipeline_types(pipeline) == [
            'LoadImageFromFile', 'LoadAnnotations', 'RandomResize',
            'RandomCrop', 'RandomFlip', 'PackSegInputs'
        ]
        resize, crop_t, flip = pipeline[2:5]
        assert tuple(resize.ratio_range) == (0.75, 2.0)
        assert tuple(crop_t.crop_size) == (crop, crop)
        assert crop_t.get('cat_max_ratio', 1.0) == 1.0
        assert flip.prob == 0.5


def test_camvid_pretrained_starts_from_table3():
    cfg = load(CAMVID_PRE)
    m = re.fullmatch(r'work_dirs/([^/]+)/iter_(\d+)\.pth', cfg.load_from)
    assert m and m.group(1) == TABLE3
    assert int(m.group(2)) == load(TABLE3).train_cfg.max_iters
    warm = {
        osp.basename(p)[:-3]
        for p in glob.glob(osp.join(DDSM, '*.py'))
        if load_config(p).get('load_from')
    }
    assert warm == {CAMVID_PRE}


def test_test_set_loads_no_annotations(tmp_path):
    """Table 3 (test server): test and --tta pipelines run on an image
    alone; scales 0.75..1.75 with flip; submission format."""
    init_default_scope('mmseg')
    cfg = load(TABLE3)
    test = cfg.test_dataloader.dataset
    assert test.data_prefix == dict(img_path='leftImg8bit/test')
    assert 'LoadAnnotations' not in pipeline_types(test.pipeline)
    assert 'LoadAnnotations' not in pipeline_types(cfg.tta_pipeline)
    ev = cfg.test_evaluator
    assert ev.type == 'CityscapesMetric'
    assert ev.format_only and ev.keep_results
    assert 'iou_metrics' not in ev  # nothing left of the val IoUMetric
    path = str(tmp_path / 'bonn_000000_000019_leftImg8bit.png')
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (16, 32, 3), np.uint8)).save(path)
    out = Compose(cfg.tta_pipeline)(dict(img_path=path))
    samples = out['data_samples']
    assert len(samples) == 10
    assert sorted({s.metainfo['flip'] for s in samples}) == [False, True]
    assert all('gt_sem_seg' not in s for s in samples)
