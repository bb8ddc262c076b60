"""tools/autolabel.py and the pseudo-label + fine-label dataset mix."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from helpers import (CE_LOSS, REPO_ROOT, load_module, seg_data_preprocessor,
                     tiny_resnet_v1c, tiny_sep_aspp_head)
from mmengine.config import Config

import mmseg_gated  # noqa: F401

autolabel = load_module('hmsa_autolabel', 'tools/autolabel.py')

NORM = dict(type='BN')
SUFFIX = '_leftImg8bit.png'
LSUFFIX = '_gtAuto_labelTrainIds.png'


def test_pseudo_label_thresholding():
    probs = torch.tensor([
        [[0.80, 0.30], [0.50, 0.10]],
        [[0.10, 0.60], [0.50, 0.20]],
        [[0.10, 0.10], [0.00, 0.70]],
    ])
    got = autolabel.pseudo_label(probs, threshold=0.5)
    # 0.5 exactly is not above the threshold -> ignore
    np.testing.assert_array_equal(got, [[0, 1], [255, 2]])
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(
        autolabel.pseudo_label(probs, threshold=0.65), [[0, 255], [255, 2]])
    np.testing.assert_array_equal(
        autolabel.pseudo_label(probs, threshold=0.0), [[0, 1], [0, 2]])
    with pytest.raises(ValueError, match='C x H x W'):
        autolabel.pseudo_label(probs[0], 0.5)


def test_to_probs_accepts_logits_and_probabilities():
    logits = torch.randn(4, 3, 5)
    p = logits.softmax(0)
    torch.testing.assert_close(autolabel.to_probs(logits), p)
    torch.testing.assert_close(autolabel.to_probs(p), p)


def _teacher(tmp_path):
    model = dict(
        type='HMSAEncoderDecoder',
        data_preprocessor=seg_data_preprocessor(),
        backbone=tiny_resnet_v1c(norm_cfg=NORM),
        decode_head=tiny_sep_aspp_head(
            'HMSASepASPPHead',
            norm_cfg=NORM,
            scale_attn=dict(channels=4),
            loss_decode=CE_LOSS),
        test_cfg=dict(mode='whole'))
    cfg = Config(
        dict(
            model=model,
            default_scope='mmseg',
            test_pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='PackSegInputs')
            ]))
    cfg_path = osp.join(tmp_path, 'teacher.py')
    cfg.dump(cfg_path)
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    net = MODELS.build(model)
    ckpt = osp.join(tmp_path, 'teacher.pth')
    torch.save(
        dict(
            state_dict=net.state_dict(),
            meta=dict(
                dataset_meta=dict(
                    classes=('a', 'b', 'c'), palette=[[0, 0, 0]] * 3))), ckpt)
    return cfg_path, ckpt


def _images(root, names, size=(20, 28)):
    rng = np.random.default_rng(0)
    for n in names:
        p = osp.join(root, n + SUFFIX)
        os.makedirs(osp.dirname(p), exist_ok=True)
        cv2.imwrite(p, rng.integers(0, 256, size + (3, ), dtype=np.uint8))


def test_autolabel_tool_threshold_ignore_resume(tmp_path):
    cfg_path, ckpt = _teacher(str(tmp_path))
    img_dir = osp.join(tmp_path, 'leftImg8bit', 'train_extra')
    names = [
        'cityA/cityA_000000_000001', 'cityA/cityA_000000_000002',
        'cityB/cityB_000000_000001'
    ]
    _images(img_dir, names)
    out = osp.join(tmp_path, 'autolabel', 'train_extra')
    args = [
        cfg_path, ckpt, '--img-dir', img_dir, '--out-dir', out, '--img-suffix',
        SUFFIX, '--label-suffix', LSUFFIX, '--device', 'cpu', '--scales',
        '0.5', '1.0', '--no-progress'
    ]
    # the teacher's probabilities, to pick a threshold that splits pixels
    from mmseg.apis import inference_model, init_model
    model = init_model(cfg_path, ckpt, device='cpu')
    model.test_scales = (0.5, 1.0)
    sample = inference_model(model, osp.join(img_dir, names[0] + SUFFIX))
    probs = autolabel.to_probs(sample.seg_logits.data)
    conf, cls = probs.max(0)
    thr = f'{float(conf.median()):.6f}'
    done, skipped = autolabel.main(args + ['--threshold', thr])
    assert (done, skipped) == (3, 0)
    paths = [osp.join(out, n + LSUFFIX) for n in names]
    assert all(osp.isfile(p) for p in paths)
    assert not any(f.endswith('.tmp') for _, _, fs in os.walk(out) for f in fs)

    # the written labels equal thresholded teacher probabilities
    written = cv2.imread(paths[0], cv2.IMREAD_UNCHANGED)
    assert written.shape == (20, 28) and written.dtype == np.uint8
    expect = np.where(conf.numpy() > float(thr), cls.numpy(), 255)
    np.testing.assert_array_equal(written, expect)
    assert (written == 255).any() and (written != 255).any()
    assert set(np.unique(written)) <= {0, 1, 2, 255}

    # resume: finished files are skipped and left alone
    os.remove(paths[1])
    sentinel = np.full((20, 28), 7, np.uint8)
    cv2.imwrite(paths[2], sentinel)
    done, skipped = autolabel.main(args + ['--threshold', thr])
    assert (done, skipped) == (1, 2)
    assert osp.isfile(paths[1])
    np.testing.assert_array_equal(
        cv2.imread(paths[2], cv2.IMREAD_UNCHANGED), sentinel)

    # a threshold nothing reaches gives an all-ignore label
    out2 = osp.join(tmp_path, 'strict')
    autolabel.main([
        cfg_path, ckpt, '--img-dir', img_dir, '--out-dir', out2,
        '--img-suffix', SUFFIX, '--label-suffix', LSUFFIX, '--device', 'cpu',
        '--threshold', '0.999', '--no-progress'
    ])
    strict = cv2.imread(
        osp.join(out2, names[0] + LSUFFIX), cv2.IMREAD_UNCHANGED)
    assert (strict == 255).all()

    with pytest.raises(ValueError, match='1.0'):
        autolabel.main(args[:-4] + ['--scales', '0.5', '2.0'])

    # mix fine labels with the pseudo-labels through the shipped base config
    fine_img = osp.join(tmp_path, 'leftImg8bit', 'train')
    _images(fine_img, ['cityC/cityC_000000_000001'])
    fine_lbl = osp.join(tmp_path, 'gtFine', 'train', 'cityC',
                        'cityC_000000_000001_gtFine_labelTrainIds.png')
    os.makedirs(osp.dirname(fine_lbl))
    cv2.imwrite(fine_lbl, np.full((20, 28), 2, np.uint8))
    base = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                 'cityscapes_fine_autocoarse.py'))
    ds_cfg = base.train_dataloader.dataset
    for d in ds_cfg.datasets:
        d.data_root = str(tmp_path)
        d.pipeline = [
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations'),
            dict(type='PackSegInputs')
        ]
    from mmseg.registry import DATASETS
    mixed = DATASETS.build(ds_cfg)
    # ClassUniformDataset: read its fine and auto-labelled sub-datasets
    assert [len(d) for d in mixed.datasets] == [1, 3]
    labels = [
        d[i]['data_samples'].gt_sem_seg.data[0].numpy() for d in mixed.datasets
        for i in range(len(d))
    ]
    assert (labels[0] == 2).all()  # the fine label
    np.testing.assert_array_equal(labels[1], written)  # the pseudo-label


def test_autolabel_tool_border_and_coarse_options(tmp_path):
    """The authors' border mask and ground-truth-coarse classes through the
    CLI: the written label is the teacher's argmax with the border ignored,
    the coarse pixels of a predicted class added, then the threshold; the
    manifest records the options and refuses to mix other settings."""
    import json
    cfg_path, ckpt = _teacher(str(tmp_path))
    img_dir = osp.join(tmp_path, 'leftImg8bit', 'train_extra')
    name = 'cityA/cityA_000000_000001'
    _images(img_dir, [name])
    coarse_dir = osp.join(tmp_path, 'gtCoarse', 'train_extra')
    coarse_path = osp.join(coarse_dir, name + '_gtCoarse_labelTrainIds.png')
    os.makedirs(osp.dirname(coarse_path))
    coarse = np.full((20, 28), 255, np.uint8)
    coarse[:, :7] = 0  # a band at the left, partly outside the border
    coarse[:, 7:14] = 2
    cv2.imwrite(coarse_path, coarse)
    out = osp.join(tmp_path, 'autolabel', 'train_extra')
    border = ['2', '18', '3', '25']
    args = [
        cfg_path, ckpt, '--img-dir', img_dir, '--out-dir', out, '--img-suffix',
        SUFFIX, '--label-suffix', LSUFFIX, '--device', 'cpu', '--scales',
        '0.5', '1.0', '--no-progress', '--mask-border', *border,
        '--coarse-dir', coarse_dir, '--coarse-classes', '2', '0'
    ]
    # the teacher's probabilities, to pick a threshold that splits pixels
    from mmseg.apis import inference_model, init_model
    model = init_model(cfg_path, ckpt, device='cpu')
    model.test_scales = (0.5, 1.0)
    sample = inference_model(model, osp.join(img_dir, name + SUFFIX))
    probs = autolabel.to_probs(sample.seg_logits.data)
    conf, cls = probs.max(0)
    thr = float(conf.median())
    assert autolabel.main(args + ['--threshold', f'{thr:.6f}']) == (1, 0)
    cls = cls.numpy().astype(np.uint8)
    # by hand: border, then classes 0 and 2 (ascending) where predicted
    want = np.full_like(cls, 255)
    want[2:18, 3:25] = cls[2:18, 3:25]
    border_only = want.copy()
    for c in (0, 2):
        if (want == c).any():
            want[(want == c) | (coarse == c)] = c
    low = conf.numpy() <= float(f'{thr:.6f}')
    want[low] = 255
    border_only[low] = 255
    # the case exercises the override, also outside the border
    assert (want[:, :3] != 255).any()
    assert not np.array_equal(want, border_only)
    written = cv2.imread(osp.join(out, name + LSUFFIX), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(written, want)

    with open(osp.join(out, autolabel.MANIFEST)) as f:
        manifest = json.load(f)
    assert manifest['threshold'] == float(f'{thr:.6f}')
    assert manifest['mask_border'] == [2, 18, 3, 25]
    assert manifest['coarse_dir'] == osp.abspath(coarse_dir)
    assert manifest['coarse_suffix'] == '_gtCoarse_labelTrainIds.png'
    assert manifest['coarse_classes'] == [0, 2]
    # the same folder without the coarse override: refused
    with pytest.raises(SystemExit, match='coarse_classes'):
        autolabel.main(args[:-5] + ['--threshold', f'{thr:.6f}'])
