"""GFF training recipe (configs/gff/README.md, "Training recipe"): the
configs train what the paper states, the two-stage rows start from the
previous stage's work dir, and the test-set configs never load annotations.

Paper facts (GFF, AAAI 2020, Implementation Details): SGD, lr 1e-3, weight
decay 1e-4, poly 0.9 per iteration; Cityscapes crop 864, 100k iterations,
batch 8; ADE20K / COCO-Stuff / Pascal Context crop 512, 150k, batch 16;
flip, random crop, colour jitter in [-10, 10], random scaling [0.75, 2].
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

GFF = osp.join(REPO_ROOT, 'configs', 'gff')
# the paper's reproduction configs (the CamVid CPU checks are not)
PAPER = sorted(
    f for f in glob.glob(osp.join(GFF, '*.py')) if 'camvid' not in f)
TABLE1 = ('pspnet-concat', 'pspnet-add', 'pspnet-fpn', 'pspnet-gatedfpn',
          'pspnet-gff')
STAGE1 = 'pspnet_r101-d8_8xb1-100k_cityscapes-864x864'
TRAIN_FINE = 'gffnet_r101-d8_8xb1-100k_cityscapes-864x864'
TRAINVAL = 'gffnet_r101-d8_8xb1-100k_cityscapes-trainval-864x864'
TEST_SET = (TRAINVAL, 'gffnet_r101-d8_8xb1-100k_cityscapes-test-864x864',
            'gffnet-deeplabv3plus_wrn38-a2_8xb1-100k_cityscapes-864x864')
NAME = re.compile(r'_(\d+)xb(\d+)-(\d+)(k|iter)_')


def load(name):
    if not name.endswith('.py'):
        name = osp.join(GFF, name + '.py')
    return load_config(name)


def warm_start_name(cfg):
    """`work_dirs/<config name>/iter_<N>.pth` -> (config name, N)."""
    m = re.fullmatch(r'work_dirs/([^/]+)/iter_(\d+)\.pth', cfg.load_from)
    assert m, cfg.load_from
    return m.group(1), int(m.group(2))


@pytest.mark.parametrize('path', PAPER, ids=osp.basename)
def test_name_states_recipe(path):
    """NxbM and the schedule of the name are the config's; 8 GPUs give the
    paper's batch (8 on Cityscapes, 16 elsewhere); optimiser as printed."""
    cfg = load(path)
    gpus, per_gpu, length, unit = NAME.search(osp.basename(path)).groups()
    assert cfg.train_dataloader.batch_size == int(per_gpu)
    assert cfg.train_cfg.max_iters == int(length) * 1000
    cityscapes = 'cityscapes' in path
    assert int(gpus) * int(per_gpu) == (8 if cityscapes else 16)
    assert cfg.train_cfg.max_iters == (100000 if cityscapes else 150000)
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == ('SGD', 1e-3,
                                                                  0.9, 1e-4)
    assert 'paramwise_cfg' not in cfg.optim_wrapper  # decay on every param
    (poly, ) = cfg.param_scheduler
    assert (poly.type, poly.power, poly.eta_min, poly.by_epoch,
            poly.end) == ('PolyLR', 0.9, 0.0, False, cfg.train_cfg.max_iters)


@pytest.mark.parametrize('path', PAPER, ids=osp.basename)
def test_training_augmentation(path):
    """Random scaling [0.75, 2], plain random crop of the paper's size,
    flip, brightness jitter 10 and nothing else (no blur)."""
    cfg = load(path)
    dataset = cfg.train_dataloader.dataset
    pipelines = ([d.pipeline for d in dataset.datasets]
                 if dataset.type == 'ConcatDataset' else [dataset.pipeline])
    crop = 864 if 'cityscapes' in path else 512
    for pipeline in pipelines:
        assert pipeline_types(pipeline) == [
            'LoadImageFromFile', 'LoadAnnotations', 'RandomResize',
            'RandomCrop', 'RandomFlip', 'RandomBrightness', 'PackSegInputs'
        ]
        resize, crop_t, flip, jitter = pipeline[2:6]
        assert tuple(resize.ratio_range) == (0.75, 2.0)
        assert tuple(crop_t.crop_size) == (crop, crop)
        assert crop_t.get('cat_max_ratio', 1.0) == 1.0
        assert flip.prob == 0.5
        assert jitter.delta == 10 and jitter.get('prob', 1.0) == 1.0


@pytest.mark.parametrize(
    'name',
    [f'{t}_r101-d8_8xb1-100k_cityscapes-864x864' for t in TABLE1] + [TRAINVAL])
def test_second_stage_starts_from_first(name):
    """Table 1 rows start from the trained PSPNet, the Table 5 train+val
    model from the train-fine model: the last checkpoint of that config's
    work dir (mmengine saves iter_<max_iters>.pth there)."""
    cfg = load(name)
    previous, iteration = warm_start_name(cfg)
    assert previous == (TRAIN_FINE if name == TRAINVAL else STAGE1)
    assert iteration == load(previous).train_cfg.max_iters


def test_only_two_stage_configs_warm_start():
    expected = {f'{t}_r101-d8_8xb1-100k_cityscapes-864x864'
                for t in TABLE1} | {TRAINVAL}
    found = {
        osp.basename(p)[:-3]
        for p in glob.glob(osp.join(GFF, '*.py'))
        if load_config(p).get('load_from')
    }
    assert found == expected


def test_trainval_trains_on_train_and_val():
    cfg = load(TRAINVAL)
    dataset = cfg.train_dataloader.dataset
    assert dataset.type == 'ConcatDataset'
    assert [d.data_prefix.seg_map_path
            for d in dataset.datasets] == ['gtFine/train', 'gtFine/val']


@pytest.fixture(scope='module')
def test_image(tmp_path_factory):
    """A test-split image with no label file anywhere."""
    init_default_scope('mmseg')
    root = tmp_path_factory.mktemp('leftImg8bit_test')
    path = str(root / 'berlin_000000_000019_leftImg8bit.png')
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (16, 32, 3), np.uint8)).save(path)
    return path


@pytest.mark.parametrize('name', TEST_SET)
def test_test_set_loads_no_annotations(name, test_image):
    """The test split has no labels: the test and the --tta pipelines run
    on an image alone (LoadAnnotations would raise on the missing
    seg_map_path), and the submission is written in the server format."""
    cfg = load(name)
    test = cfg.test_dataloader.dataset
    assert test.data_prefix == dict(img_path='leftImg8bit/test')
    assert 'LoadAnnotations' not in pipeline_types(test.pipeline)
    assert 'LoadAnnotations' not in pipeline_types(cfg.tta_pipeline)
    ev = cfg.test_evaluator
    assert ev.type == 'CityscapesMetric' and ev.format_only
    # mmseg's CityscapesMetric asserts keep_results when format_only
    assert ev.keep_results
    single = Compose(test.pipeline)(dict(img_path=test_image))
    assert 'gt_sem_seg' not in single['data_samples']
    tta = Compose(cfg.tta_pipeline)(dict(img_path=test_image))
    scales = [s.metainfo['scale_factor'][0] for s in tta['data_samples']]
    assert scales == pytest.approx([0.75, 1.0, 1.25, 1.5, 1.75], abs=0.05)
    assert all('gt_sem_seg' not in s for s in tta['data_samples'])


def test_val_tta_keeps_annotations():
    """Val (Table 2 MS row) still loads the labels for the metric."""
    cfg = load(TRAIN_FINE)
    assert 'LoadAnnotations' in pipeline_types(cfg.tta_pipeline)
    assert 'LoadAnnotations' in pipeline_types(
        cfg.test_dataloader.dataset.pipeline)
