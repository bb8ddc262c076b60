"""Small utilities shared by the tests (imported as ``helpers``)."""
import copy
import importlib.util
import os
import os.path as osp

import cv2
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
    """Build a segmentor from (a deep copy of) a config dict, with SyncBN
    swapped for BN."""
    from mmengine.config import ConfigDict
    from mmseg.registry import MODELS
    model = MODELS.build(ConfigDict(copy.deepcopy(model_cfg)))
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


# Tiny model configs shared by the tests. Each returns a fresh dict, so a
# test may change what it gets.

# mmseg's CrossEntropyLoss warns at every build unless avg_non_ignore is set
CE_LOSS = dict(type='CrossEntropyLoss', avg_non_ignore=True)


def seg_data_preprocessor(**overrides):
    """mmseg's SegDataPreProcessor with the ImageNet mean and std (RGB).

    Args:
        overrides: Other arguments (``size=(h, w)`` pads every batch).
    """
    return dict(
        dict(
            type='SegDataPreProcessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True,
            pad_val=0,
            seg_pad_val=255), **overrides)


def tiny_resnet_v1c(base_channels=4,
                    stem_channels=None,
                    norm_cfg=dict(type='BN', requires_grad=True),
                    dilated=False,
                    **overrides):
    """mmseg's ResNetV1c-18 at a tiny width; stage i gives
    ``base_channels * 2**i`` channels (the last stage 8x).

    Args:
        base_channels: Width of the first stage.
        stem_channels: Width of the stem; ``base_channels`` when None.
        norm_cfg: The backbone's norm layers.
        dilated: Output stride 8 as DeepLab's ``-d8`` backbones (strides
            (1, 2, 1, 1), dilations (1, 1, 2, 4)); else stride 32.
        overrides: Other ResNetV1c arguments (``num_stages``,
            ``contract_dilation``, ...).
    """
    cfg = dict(
        type='ResNetV1c',
        depth=18,
        base_channels=base_channels,
        stem_channels=stem_channels or base_channels,
        norm_cfg=dict(norm_cfg))
    if dilated:
        cfg.update(strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4))
    cfg.update(overrides)
    return cfg


def tiny_sep_aspp_head(type, in_channels=32, c1_in_channels=4, **overrides):
    """A DeepLabV3+ head (mmseg's DepthwiseSeparableASPPHead or one of ours)
    on the last stage (``in_channels``) and the low-level features of the
    first (``c1_in_channels``) of :func:`tiny_resnet_v1c`: 8 channels,
    dilations (1, 2), 4 low-level channels, 3 classes.

    Args:
        type: The head's registered name.
        in_channels: Channels of the last backbone stage.
        c1_in_channels: Channels of the first backbone stage.
        overrides: Other head arguments.
    """
    cfg = dict(
        type=type,
        in_channels=in_channels,
        in_index=3,
        channels=8,
        dilations=(1, 2),
        c1_in_channels=c1_in_channels,
        c1_channels=4,
        num_classes=3)
    cfg.update(overrides)
    return cfg


GSCNN_CLASSES = 4  # classes of gscnn_cfg()


def gscnn_cfg(**head):
    """A tiny Gated-SCNN segmentor (dilated ResNetV1c-18 at width 8, the
    shape stream on stages 1-4, 4 classes, 40 x 40 batches).

    Args:
        head: Changes to the GSCNNHead config (``type`` for the official
            layout).
    """
    norm_cfg = dict(type='BN', requires_grad=True)
    head_cfg = tiny_sep_aspp_head(
        'GSCNNHead',
        in_channels=64,
        c1_in_channels=8,
        dropout_ratio=0,
        num_classes=GSCNN_CLASSES,
        norm_cfg=norm_cfg,
        shape_in_channels=8,
        gate_in_channels=(16, 32, 64),
        shape_channels=(8, 4, 4, 2),
        loss_decode=CE_LOSS)
    head_cfg.update(head)
    return dict(
        type='GSCNNEncoderDecoder',
        data_preprocessor=seg_data_preprocessor(size=(40, 40)),
        backbone=tiny_resnet_v1c(
            8, norm_cfg=norm_cfg, dilated=True, out_indices=(0, 1, 2, 3)),
        decode_head=head_cfg,
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


HMSA_NORM = dict(type='BN', requires_grad=True)


def hmsa_dlv3p_cfg(kind='hierarchical', **kwargs):
    """A tiny DeepLabV3+ R18 for multi-scale attention (3 classes, 32 x 32
    batches, an FCN auxiliary head on stage 3).

    Args:
        kind: 'hierarchical' (the paper's attention), 'explicit' (one
            attention map per scale) or 'plain' (mmseg's EncoderDecoder with
            DepthwiseSeparableASPPHead).
        kwargs: Changes to the segmentor config.
    """
    head = tiny_sep_aspp_head(
        'HMSASepASPPHead',
        in_channels=64,
        c1_in_channels=8,
        channels=16,
        dropout_ratio=0.,
        norm_cfg=HMSA_NORM,
        align_corners=False,
        scale_attn=dict(channels=8),
        loss_decode=CE_LOSS)
    cfg = dict(
        type='HMSAEncoderDecoder',
        data_preprocessor=seg_data_preprocessor(size=(32, 32)),
        backbone=tiny_resnet_v1c(
            8, norm_cfg=HMSA_NORM, dilated=True, contract_dilation=True),
        decode_head=head,
        auxiliary_head=dict(
            type='FCNHead',
            in_channels=32,
            in_index=2,
            channels=8,
            num_convs=1,
            concat_input=False,
            dropout_ratio=0.,
            num_classes=3,
            norm_cfg=HMSA_NORM,
            align_corners=False,
            loss_decode=dict(CE_LOSS, loss_weight=0.4)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))
    if kind == 'explicit':
        head['scale_attn'] = None
        cfg.update(
            train_scales=(0.5, 1.0, 2.0),
            test_scales=(0.5, 1.0, 2.0),
            scale_fusion=dict(
                type='ExplicitScaleFusion',
                in_channels=20,
                scales=(0.5, 1.0, 2.0),
                channels=8))
    elif kind == 'plain':
        head.pop('scale_attn')
        head['type'] = 'DepthwiseSeparableASPPHead'
        cfg['type'] = 'EncoderDecoder'
    cfg.update(kwargs)
    return cfg


def hmsa_ocr_cfg(kind='hierarchical', **kwargs):
    """A tiny HRNet + [FCNHead, HMSAOCRHead] (3 classes, 32 x 32 batches).

    Args:
        kind: 'hierarchical' (the paper's OCR model) or 'plain' (mmseg's
            CascadeEncoderDecoder with OCRHead).
        kwargs: Changes to the segmentor config.
    """
    hr = dict(
        type='HRNet',
        norm_cfg=HMSA_NORM,
        norm_eval=False,
        extra=hrnet_extra((4, 8, 16, 32), stem=8))
    ocr = dict(
        type='HMSAOCRHead',
        in_channels=[4, 8, 16, 32],
        in_index=(0, 1, 2, 3),
        input_transform='resize_concat',
        channels=16,
        ocr_channels=8,
        dropout_ratio=-1,
        num_classes=3,
        norm_cfg=HMSA_NORM,
        align_corners=False,
        scale_attn=dict(channels=8),
        loss_decode=dict(type='RMILoss'))
    if kind == 'plain':
        ocr.pop('scale_attn')
        ocr['type'] = 'OCRHead'
    cfg = dict(
        type='HMSACascadeEncoderDecoder'
        if kind != 'plain' else 'CascadeEncoderDecoder',
        num_stages=2,
        data_preprocessor=seg_data_preprocessor(size=(32, 32)),
        backbone=hr,
        decode_head=[
            dict(
                type='FCNHead',
                in_channels=[4, 8, 16, 32],
                in_index=(0, 1, 2, 3),
                input_transform='resize_concat',
                channels=60,
                kernel_size=1,
                num_convs=1,
                concat_input=False,
                dropout_ratio=-1,
                num_classes=3,
                norm_cfg=HMSA_NORM,
                align_corners=False,
                loss_decode=dict(
                    type='CrossEntropyLoss',
                    loss_weight=0.4,
                    avg_non_ignore=True)), ocr
        ],
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))
    cfg.update(kwargs)
    return cfg


# images for the visualisation tests
def scene(h=75, w=101):
    """Flat rectangles on a mild gradient: Canny finds their borders."""
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = np.linspace(40, 90, w, dtype=np.uint8)[None, :, None]
    img[10:40, 15:60] = (200, 30, 30)
    img[45:70, 50:95] = (20, 180, 60)
    img[5:25, 70:90] = (250, 250, 250)
    return img


def write_image(path, h, w):
    """A random h x w colour image written to ``path``; returns the path."""
    img = np.random.default_rng(0).integers(0, 256, (h, w, 3), np.uint8)
    cv2.imwrite(str(path), img)
    return str(path)


def hand_grid(row, col, stride, k=3):
    """Image pixels of the regular k x k grid around DDSM position (row,
    col), row-major: feature pixel i covers image pixels [s i, s (i + 1)),
    its centre is s i + (s - 1) / 2."""
    r = k // 2
    return np.array([(stride * (row + dy) + (stride - 1) / 2,
                      stride * (col + dx) + (stride - 1) / 2)
                     for dy in range(-r, r + 1) for dx in range(-r, r + 1)])


# the oracle comparisons (../shared/reference)
def authors_weights(paper, seed=0):
    """The oracle's deterministic weights of ``paper`` in the authors' layout
    (their checkpoint's keys), from the reference's ``weights.py``; skips
    the test when the reference is absent.

    Args:
        paper: The reference folder (``'gff'``, ``'gscnn'``, ...).
        seed: The weights' seed (the oracle's outputs are of seed 0).
    """
    root = reference_dir(paper)
    weights = load_module('oracle_weights', osp.join(root, 'weights.py'))
    layout = weights.load_layout(osp.join(root, paper, 'layout.json'))
    return weights.make_state_dict(layout, seed=seed)


def convert_with_cli(converter, checkpoint, tmp_dir, name='authors'):
    """Save ``checkpoint`` as the authors' file, convert it with the
    converter's command line (``converter.main([src, dst])``) and return
    the converted file's dict; both files are removed."""
    src, dst = tmp_dir / f'{name}.pth', tmp_dir / f'{name}_converted.pth'
    torch.save(checkpoint, src)
    converter.main([str(src), str(dst)])
    converted = torch.load(dst, map_location='cpu', weights_only=True)
    os.remove(src)
    os.remove(dst)
    return converted


def float64_model(config):
    """The model of ``config`` (a repo-relative or absolute path) for an
    oracle comparison: no pretrained weights (a checkpoint fills every
    tensor), BN for SyncBN, float64."""
    from mmengine.config import Config
    from mmseg.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.model.pop('pretrained', None)
    cfg.model.backbone.init_cfg = None
    return revert_sync_batchnorm(MODELS.build(cfg.model)).double()
