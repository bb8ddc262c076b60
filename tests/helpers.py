"""Small utilities shared by the tests (imported as ``helpers``)."""
import numpy as np
import torch
from mmengine.model import revert_sync_batchnorm
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample


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
