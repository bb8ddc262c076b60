# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Training cost of hierarchical vs single-scale vs explicit attention.

Hierarchical multi-scale attention, Table 3 "Training Cost" / "Minibatch
time": one process builds the same small DeepLabV3+ three ways (single
scale: mmseg's ``EncoderDecoder``; hierarchical and explicit:
``HMSAEncoderDecoder`` with ``HierarchicalScaleFusion`` /
``ExplicitScaleFusion``) and reports, for one training step on the same
input,

- multiply-adds of the training forward (every training scale, the
  attention heads and the auxiliary head; mmengine's FlopAnalyzer), and
- CPU time of forward + loss + backward (median of ``--reps``),

as ratios to the single-scale model (the paper: 1.00x / 1.25x / 5.25x,
minibatch 0.8 / 1.2 / 3.1 s on GPUs).

    nice -n 10 python tools/analysis_tools/benchmark_hmsa_train_cost.py \
        --depth 18 --shape 256 256 --batch 2 --reps 3
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope

import mmseg_gated  # noqa: F401


def build(mode: str, depth: int, num_classes: int):
    from mmseg.registry import MODELS
    norm = dict(type='BN', requires_grad=True)
    wide = depth >= 50
    head = dict(
        type='DepthwiseSeparableASPPHead',
        in_channels=2048 if wide else 512,
        in_index=3,
        channels=512 if wide else 128,
        dilations=(1, 12, 24, 36),
        c1_in_channels=256 if wide else 64,
        c1_channels=48,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True))
    cfg = dict(
        type='EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor'),
        backbone=dict(
            type='ResNetV1c',
            depth=depth,
            dilations=(1, 1, 2, 4),
            strides=(1, 2, 1, 1),
            norm_cfg=norm,
            contract_dilation=True),
        decode_head=head,
        auxiliary_head=dict(
            type='FCNHead',
            in_channels=1024 if wide else 256,
            in_index=2,
            channels=256 if wide else 64,
            num_convs=1,
            concat_input=False,
            dropout_ratio=0.1,
            num_classes=num_classes,
            norm_cfg=norm,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', loss_weight=0.4,
                avg_non_ignore=True)),
        test_cfg=dict(mode='whole'))
    attn_channels = 256 if wide else 64
    if mode != 'single':
        cfg['type'] = 'HMSAEncoderDecoder'
        head['type'] = 'HMSASepASPPHead'
        head['scale_attn'] = dict(channels=attn_channels)
    if mode == 'explicit':
        scales = (0.5, 1.0, 2.0)
        head['scale_attn'] = None
        cfg.update(
            train_scales=scales,
            test_scales=scales,
            scale_fusion=dict(
                type='ExplicitScaleFusion',
                scales=scales,
                in_channels=head['channels'] + head['c1_channels'],
                channels=attn_channels,
                norm_cfg=norm))
    from mmengine.config import ConfigDict
    return revert_sync_batchnorm(MODELS.build(ConfigDict(cfg)))


class _TrainForward(nn.Module):

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        if hasattr(self.model, 'multi_scale'):
            res = self.model.multi_scale(x, self.model.train_scales, True)
            return (*res['decode'], *res['aux'])
        feats = self.model.extract_feat(x)
        return (self.model.decode_head(feats),
                self.model.auxiliary_head(feats))


def samples(batch, h, w, num_classes):
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    out = []
    g = torch.Generator().manual_seed(0)
    for _ in range(batch):
        s = SegDataSample(
            metainfo=dict(
                img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w)))
        s.gt_sem_seg = PixelData(
            data=torch.randint(0, num_classes, (1, h, w), generator=g))
        out.append(s)
    return out


def main():
    p = argparse.ArgumentParser(
        description=' '.join(__doc__.split('\n\n')[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--depth', type=int, default=18)
    p.add_argument('--shape', type=int, nargs=2, default=[256, 256])
    p.add_argument('--batch', type=int, default=2)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--num-classes', type=int, default=19)
    args = p.parse_args()
    init_default_scope('mmseg')
    from mmengine.analysis import FlopAnalyzer
    h, w = args.shape
    torch.manual_seed(0)
    x = torch.randn(args.batch, 3, h, w)
    data_samples = samples(args.batch, h, w, args.num_classes)
    results = {}
    for mode in ('single', 'hierarchical', 'explicit'):
        model = build(mode, args.depth, args.num_classes).train()
        fa = FlopAnalyzer(_TrainForward(model), (x, ))
        fa.unsupported_ops_warnings(False)
        fa.uncalled_modules_warnings(False)
        flops = fa.total()
        times = []
        for i in range(args.reps + 1):
            model.zero_grad()
            t0 = time.perf_counter()
            losses = model.loss(x, data_samples)
            loss, _ = model.parse_losses(losses)
            loss.backward()
            if i > 0:  # the first step warms up
                times.append(time.perf_counter() - t0)
        results[mode] = (flops, statistics.median(times),
                         getattr(model, 'train_scales', (1.0, )))
    f0, t0 = results['single'][:2]
    print(f'ResNet-{args.depth} DeepLabV3+, input {args.batch}x3x{h}x{w}, '
          f'{torch.get_num_threads()} thread(s), median of {args.reps}')
    print(f'{"mode":<14}{"train scales":<18}{"GMACs fwd":>10}{"ratio":>8}'
          f'{"step s":>9}{"ratio":>8}')
    for mode, (f, t, sc) in results.items():
        print(f'{mode:<14}{",".join(f"{s:g}" for s in sc):<18}{f / 1e9:>10.2f}'
              f'{f / f0:>7.2f}x{t:>9.3f}{t / t0:>7.2f}x')


if __name__ == '__main__':
    main()
