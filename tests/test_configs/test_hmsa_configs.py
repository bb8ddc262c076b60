"""Hierarchical multi-scale attention configs: the Table 3 baselines are
mmseg's own classes, and ``--tta`` adds flips only."""
import copy
import functools
import glob
import os.path as osp

import cv2
import mmcv
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import (CE_LOSS, REPO_ROOT, build_cpu_model,
                     seg_data_preprocessor, tiny_resnet_v1c,
                     tiny_sep_aspp_head)
from mmengine.config import Config, ConfigDict

import mmseg_gated  # noqa: F401

pytestmark = [
    # third-party deprecations raised while reading mmseg:: base configs
    pytest.mark.filterwarnings('ignore:pkg_resources is deprecated'),
    # mmseg's SegTTAModel wraps its 2-D prediction in PixelData
    pytest.mark.filterwarnings('ignore:The shape of value will convert'),
]

HMSA = osp.join(REPO_ROOT, 'configs', 'hmsa')
CONFIGS = sorted(glob.glob(osp.join(HMSA, '*.py')))
SINGLE = osp.join(
    HMSA, 'deeplabv3plus-single_r50-d8_8xb2-200e_mapillary-v1-'
    '1024x1024.py')
AVGPOOL = osp.join(
    HMSA, 'deeplabv3plus-avgpool_r50-d8_8xb2-200e_mapillary-v1-'
    '1024x1024.py')


@functools.lru_cache(maxsize=None)
def load(path):
    """The resolved config (cached: reading mmseg:: bases is slow)."""
    return Config.fromfile(path)


def _stages(pipeline):
    aug = [t for t in pipeline if t['type'] == 'TestTimeAug']
    assert len(aug) == 1, pipeline
    return aug[0]['transforms']


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.basename(p) for p in CONFIGS])
def test_tta_is_flips_only(path):
    """The models combine their own test_scales: ``--tta`` adds a flip at
    the test pipeline's size (2 passes, not the dataset base's 12)."""
    cfg = load(path)
    stages = _stages(cfg.tta_pipeline)
    assert int(np.prod([len(s) for s in stages])) == 2
    resizes = [t for s in stages for t in s if t['type'] == 'Resize']
    assert len(resizes) == 1 and 'scale_factor' not in resizes[0]
    flips = [t['prob'] for s in stages for t in s if t['type'] == 'RandomFlip']
    assert sorted(flips) == [0., 1.]
    test_resize = [
        t for t in cfg.test_dataloader.dataset.pipeline
        if t['type'] == 'Resize'
    ][0]
    assert resizes[0]['scale'] == test_resize['scale']


def test_table3_baselines_are_mmseg_classes():
    single = load(SINGLE).model
    assert single.type == 'EncoderDecoder'
    assert single.decode_head.type == 'DepthwiseSeparableASPPHead'
    camvid = load(
        osp.join(HMSA,
                 'deeplabv3plus-single_r18-d8_1xb4-200iter_camvid-180x240.py'))
    assert camvid.model.type == 'EncoderDecoder'
    avg = load(AVGPOOL)
    assert avg.model.type == 'SegTTAModel'
    assert avg.model.module == single  # tests the single-scale checkpoint
    stages = _stages(avg.test_dataloader.dataset.pipeline)
    assert [t['scale_factor'] for t in stages[0]] == [0.5, 1.0, 2.0]
    assert not any(t['type'] == 'RandomFlip' for s in stages for t in s)
    assert avg.val_dataloader == avg.test_dataloader


def test_avgpool_config_averages_probabilities(tmp_path):
    """The avgpool config's pipeline and SegTTAModel (with a tiny network
    in place of the R50) predict the argmax of the class probabilities of
    scales 0.5, 1.0, 2.0 of the image, each resized back, averaged."""
    from mmengine.dataset import pseudo_collate
    from mmengine.dataset.base_dataset import Compose
    from mmengine.registry import init_default_scope
    init_default_scope('mmseg')
    norm = dict(type='BN')
    module = dict(
        type='EncoderDecoder',
        data_preprocessor=seg_data_preprocessor(),
        backbone=tiny_resnet_v1c(norm_cfg=norm),
        decode_head=tiny_sep_aspp_head(
            'DepthwiseSeparableASPPHead',
            num_classes=5,
            norm_cfg=norm,
            align_corners=False,
            loss_decode=CE_LOSS),
        test_cfg=dict(mode='whole'))
    cfg = load(AVGPOOL)
    torch.manual_seed(0)
    tta = build_cpu_model(ConfigDict(cfg.model, module=module)).eval()
    for w in tta.parameters():  # spread the logits: several classes win
        if w.dim() > 1:
            torch.nn.init.kaiming_normal_(w)
            w.data *= 0.9
    pipeline = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
    pipeline[1]['scale'] = (48, 40)  # keep the 40 x 48 image's size

    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)
    img_path, seg_path = str(tmp_path / 'a.png'), str(tmp_path / 'a_l.png')
    cv2.imwrite(img_path, img)
    cv2.imwrite(seg_path, np.zeros((40, 48), np.uint8))
    data = Compose(pipeline)(
        dict(
            img_path=img_path,
            seg_map_path=seg_path,
            reduce_zero_label=False,
            seg_fields=[]))
    with torch.no_grad():
        pred = tta.test_step(pseudo_collate([data]))[0].pred_sem_seg.data

        # independently: each scale through the network, its logits
        # resized to the image; then the probabilities averaged
        net = tta.module
        mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
        std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)
        per_scale = []
        for r in (0.5, 1.0, 2.0):
            im = mmcv.imrescale(img, r, interpolation='bilinear')
            x = torch.from_numpy(im[..., ::-1].copy()).permute(2, 0, 1)
            x = (x[None].float() - mean) / std
            logits = net.encode_decode(x, [dict(img_shape=im.shape[:2])])
            logits = F.interpolate(
                logits, size=(40, 48), mode='bilinear', align_corners=False)
            per_scale.append(logits)
    want = torch.stack([p.softmax(1) for p in per_scale]).mean(0).argmax(1)
    assert pred.shape == want.shape == (1, 40, 48)
    assert torch.equal(pred, want)
    # the case tells probability averaging from logit averaging (the
    # authors' code) and from the 1.0 scale alone
    assert not torch.equal(pred, torch.stack(per_scale).mean(0).argmax(1))
    assert not torch.equal(pred, per_scale[1].argmax(1))
