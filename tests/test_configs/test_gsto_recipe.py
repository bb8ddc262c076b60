# Copyright (c) mmseg_gated contributors. All rights reserved.
"""The GSTO / HRNetV2 configs follow HRNet's training recipe (the table in
configs/gsto/README.md): losses, class weights, OHEM, schedule, two-stage
train+val, and the training pipelines (scale set, pad, crop, LIP warp)."""
import copy
import os.path as osp

import numpy as np
import pytest
from helpers import REPO_ROOT
from mmengine.config import Config
from mmseg.registry import TRANSFORMS

import mmseg_gated  # noqa: F401

pytestmark = pytest.mark.filterwarnings('ignore:pkg_resources is deprecated')

CFG = osp.join(REPO_ROOT, 'configs', 'gsto')
# HRNet lib/datasets/cityscapes.py class_weights
HRNET_CS_W = [
    0.8373, 0.918, 0.866, 1.0345, 1.0166, 0.9969, 0.9754, 1.0489, 0.8786,
    1.0023, 0.9539, 0.9843, 1.1116, 0.9037, 1.0865, 1.0955, 1.0865, 1.1529,
    1.0507
]
# name -> (class weights, OHEM, lr, max_iters, weight decay)
RECIPES = {
    'fcn_hr48_4xb3-120k_cityscapes-512x1024':
    (HRNET_CS_W, False, 0.01, 120000, 5e-4),
    'fcn_gsto-hr48_4xb3-120k_cityscapes-512x1024':
    (HRNET_CS_W, False, 0.01, 120000, 5e-4),
    'fcn_hr48_4xb3-140k_cityscapes-trainval-512x1024':
    (HRNET_CS_W, False, 0.001, 484 * 289, 5e-4),
    'fcn_gsto-hr48_4xb3-140k_cityscapes-trainval-512x1024':
    (HRNET_CS_W, True, 0.001, 484 * 289, 5e-4),
    'fcn_hr48_4xb10-114k_lip-473x473': (None, False, 0.007, 150 * 761, 5e-4),
    'fcn_gsto-hr48_4xb10-114k_lip-473x473': (None, False, 0.007, 150 * 761,
                                             5e-4),
    'fcn_hr48_4xb4-62k_pascal-context-59-480x480': (None, False, 0.004,
                                                    200 * 312, 1e-4),
    'fcn_gsto-hr48_4xb4-62k_pascal-context-59-480x480': (None, False, 0.004,
                                                         200 * 312, 1e-4),
}


def _losses(cfg):
    """(loss config, loss weight) of the decode head and every aux head."""
    heads = [cfg.model.decode_head] + list(
        cfg.model.get('auxiliary_head') or [])
    return [(h.loss_decode, h.get('in_index')) for h in heads]


def _train_pipelines(cfg):
    ds = cfg.train_dataloader.dataset
    if ds.type == 'ConcatDataset':
        return [d.pipeline for d in ds.datasets]
    return [ds.pipeline]


@pytest.mark.parametrize('name', sorted(RECIPES))
def test_config_follows_hrnet_recipe(name):
    cfg = Config.fromfile(osp.join(CFG, name + '.py'))
    class_weight, ohem, lr, iters, wd = RECIPES[name]
    gsto = 'gsto' in name
    losses = _losses(cfg)
    assert len(losses) == (3 if gsto else 1)
    weights = {}
    for loss, in_index in losses:
        assert loss.type == 'HRNetCrossEntropyLoss'
        assert loss.get('class_weight') == class_weight
        if ohem:
            assert (loss.ohem_thresh, loss.min_kept) == (0.9, 100000)
        else:
            assert loss.get('ohem_thresh') is None
        weights[in_index] = loss.get('loss_weight', 1.0)
        assert 'sampler' not in cfg.model.decode_head
    if gsto:  # their FullModel: final + 0.5 * stage 3 + 0.3 * stage 2
        assert weights[5] == 0.5 and weights[4] == 0.3
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == ('SGD', lr,
                                                                  0.9, wd)
    assert 'paramwise_cfg' not in cfg.optim_wrapper
    assert cfg.train_cfg.max_iters == iters
    (sched, ) = cfg.param_scheduler
    assert (sched.type, sched.power, sched.eta_min,
            sched.by_epoch) == ('PolyLR', 0.9, 0.0, False)
    for pipeline in _train_pipelines(cfg):
        types = [t['type'] for t in pipeline]
        assert 'PhotoMetricDistortion' not in types
        assert 'RandomChoiceResize' in types
        assert types.index('Pad') < types.index('RandomCrop')
        crop = pipeline[types.index('RandomCrop')]
        assert crop.get('cat_max_ratio', 1.0) == 1.0
    if 'trainval' in name:
        first = name.replace('140k_cityscapes-trainval', '120k_cityscapes')
        assert cfg.load_from == f'work_dirs/{first}/iter_120000.pth'
        assert osp.isfile(osp.join(CFG, first + '.py'))
        assert [
            d.data_prefix.img_path
            for d in cfg.train_dataloader.dataset.datasets
        ] == ['leftImg8bit/train', 'leftImg8bit/val']
    else:
        assert cfg.get('load_from') is None


def _run(pipeline, img, seg):
    results = dict(
        img=img,
        gt_seg_map=seg,
        img_shape=img.shape[:2],
        ori_shape=img.shape[:2],
        seg_fields=['gt_seg_map'],
        reduce_zero_label=False)
    for t in pipeline:
        results = TRANSFORMS.build(t)(results)
    return results


def test_cityscapes_scales_are_hrnets():
    """17 sizes int(2048 * (0.5 + k / 10) + 0.5), and mmcv's keep-ratio
    resize to one gives HRNet's multi_scale_aug size."""
    cfg = Config.fromfile(
        osp.join(CFG, 'fcn_gsto-hr48_4xb3-120k_cityscapes-512x1024.py'))
    pipe = cfg.train_dataloader.dataset.pipeline
    resize = [t for t in pipe if t['type'] == 'RandomChoiceResize'][0]
    longs = [s[0] for s in resize.scales]
    assert longs[0] == 1024 and longs[-1] == 4301 and len(longs) == 17
    assert longs[3] == 1638  # int(2048 * 0.8 + 0.5), 0.8 = 0.5 + 3 / 10
    one = copy.deepcopy(resize)
    one.scales = [resize.scales[2]]  # s = 0.7
    img = np.zeros((1024, 2048, 3), np.uint8)
    out = _run([one], img, np.zeros((1024, 2048), np.uint8))
    long_size = int(2048 * 0.7 + 0.5)
    assert out['img'].shape[:2] == (int(1024 * long_size / 2048 + 0.5),
                                    long_size)


def test_lip_warps_then_scales_pads_and_crops():
    """HRNet's lip.py: warp to 473x473 (ratio not kept), scale s, pad the
    bottom/right with image 0 / label 255, crop 473x473."""
    cfg = Config.fromfile(
        osp.join(CFG, 'fcn_gsto-hr48_4xb10-114k_lip-473x473.py'))
    pipe = [
        copy.deepcopy(t) for t in cfg.train_dataloader.dataset.pipeline
        if t['type'] not in ('LoadImageFromFile', 'LoadAnnotations',
                             'RandomFlip', 'PackSegInputs')
    ]
    types = [t['type'] for t in pipe]
    assert types == ['Resize', 'RandomChoiceResize', 'Pad', 'RandomCrop']
    assert pipe[0].keep_ratio is False
    assert [s[0] for s in pipe[1].scales
            ] == [int(473 * (0.5 + k / 10) + 0.5) for k in range(12)]
    pipe[1].scales = [pipe[1].scales[0]]  # s = 0.5: 237 x 237
    img = np.full((100, 40, 3), 200, np.uint8)
    seg = np.full((100, 40), 7, np.uint8)
    out = _run(pipe, img, seg)
    assert out['img'].shape == (473, 473, 3)
    assert out['gt_seg_map'].shape == (473, 473)
    assert (out['img'][:237, :237] == 200).all()
    assert (out['img'][237:] == 0).all() and (out['img'][:, 237:] == 0).all()
    assert (out['gt_seg_map'][:237, :237] == 7).all()
    assert (out['gt_seg_map'][237:] == 255).all()
    assert (out['gt_seg_map'][:, 237:] == 255).all()
