# Copyright (c) mmseg_gated contributors. All rights reserved.
import copy
from typing import Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads import UPerHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS

from ..utils import HeadInputsMixin


@MODELS.register_module()
class DDSMUPerHead(HeadInputsMixin, UPerHead):
    """UPerNet head with DDSM in the top-down path (DDSM paper, Sec. 2.2
    "Plugin into two architectures"; Tables 1-4).

    mmseg's :class:`UPerHead` builds ``x~_{s-1} = x_{s-1} + up(x~_s)``; at
    the levels in ``fusion_levels`` this head uses ``x~_{s-1} =
    fusion(x_{s-1}, x~_s)`` instead, with ``fusion`` a :class:`DDSM` (or
    :class:`DCNFusion` for the "+DCN" rows). Everything else is UPerHead's.

    Level ``i`` is the lateral of ``in_index[i]`` (0 = stride 4, i.e. x_2 of
    the paper); fusing at level ``i`` forms ``x~_{i+2}`` from ``x~_{i+3}``.
    The paper's ablation ("the second and third stages", N = N_c = 9) is
    ``fusion_levels=(0, 1)``; its final model (three DDSMs forming x~_4,
    x~_3, x~_2, N = 25, N_c = 9) is ``(0, 1, 2)``.

    ``ppm_bottleneck_kernel=1`` replaces the 3x3 conv after mmseg's PPM
    (``bottleneck``, 7.08M parameters at 256 channels on ResNet) with a 1x1
    conv (0.79M), the layout of the DDSM authors' group codebase; with it the
    Table 3 model (R101, 3 DDSMs) comes close to the paper's 51.8M. The
    paper does not say which one it used.

    Args:
        fusion_cfg (dict): Config of the fusion module, built with
            ``low_channels = high_channels = channels = self.channels`` and
            this head's ``conv_cfg/norm_cfg/act_cfg/align_corners`` unless
            given. Default: ``dict(type='DDSM')``.
        fusion_levels (Sequence[int]): Lateral levels formed by the fusion
            module. Default: (0, 1, 2).
        ppm_bottleneck_kernel (int): Kernel of the conv after the PPM, 3
            (mmseg's UPerHead) or 1. Default: 3.
        **kwargs: :class:`mmseg.models.decode_heads.UPerHead` arguments.
    """

    def __init__(self,
                 fusion_cfg: dict = dict(type='DDSM'),
                 fusion_levels: Sequence[int] = (0, 1, 2),
                 ppm_bottleneck_kernel: int = 3,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if ppm_bottleneck_kernel not in (1, 3):
            raise ValueError('ppm_bottleneck_kernel must be 3 (mmseg) or 1, '
                             f'got {ppm_bottleneck_kernel!r}')
        self.ppm_bottleneck_kernel = ppm_bottleneck_kernel
        if ppm_bottleneck_kernel == 1:
            bottleneck = self.bottleneck.conv
            self.bottleneck = ConvModule(
                bottleneck.in_channels,
                self.channels,
                1,
                conv_cfg=self.conv_cfg,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg)
        num_levels = len(self.in_channels)
        fusion_levels = tuple(fusion_levels)
        if not fusion_levels or len(
                set(fusion_levels)) != len(fusion_levels) or any(
                    not isinstance(i, int) or not 0 <= i < num_levels - 1
                    for i in fusion_levels):
            raise ValueError(
                'fusion_levels must be distinct ints in '
                f'[0, {num_levels - 2}] (one per top-down step of '
                f'{num_levels} levels), got {fusion_levels!r}')
        if not isinstance(fusion_cfg, dict) or 'type' not in fusion_cfg:
            raise TypeError(
                f'fusion_cfg must be a dict with a type, got {fusion_cfg!r}')
        self.fusion_levels = fusion_levels
        self.fusions = nn.ModuleDict()
        for i in fusion_levels:
            cfg = copy.deepcopy(fusion_cfg)
            for key in ('low_channels', 'high_channels', 'channels'):
                cfg.setdefault(key, self.channels)
            cfg.setdefault('conv_cfg', self.conv_cfg)
            cfg.setdefault('norm_cfg', self.norm_cfg)
            cfg.setdefault('act_cfg', self.act_cfg)
            cfg.setdefault('align_corners', self.align_corners)
            self.fusions[str(i)] = MODELS.build(cfg)

    def _forward_feature(self, inputs):
        """UPerHead's ``_forward_feature`` with the fused top-down path."""
        n = len(inputs)
        for i in self.in_index:
            if not -n <= i < n:
                raise ValueError(
                    f'DDSMUPerHead in_index {list(self.in_index)} asks for '
                    f'backbone output {i}, but the backbone gives {n} outputs')
        inputs = self._transform_inputs(inputs)
        for i, (x, c) in enumerate(zip(inputs, self.in_channels)):
            if x.dim() != 4 or x.size(1) != c:
                raise ValueError(
                    f'DDSMUPerHead in_channels[{i}] is {c}, but its input '
                    f'(backbone output in_index[{i}] = {self.in_index[i]}) '
                    f'is {tuple(x.shape)}: set in_channels to the '
                    'backbone\'s output channels')
        laterals = [
            lateral_conv(inputs[i])
            for i, lateral_conv in enumerate(self.lateral_convs)
        ]
        laterals.append(self.psp_forward(inputs))

        used_backbone_levels = len(laterals)
        for i in range(used_backbone_levels - 1, 0, -1):
            if str(i - 1) in self.fusions:
                laterals[i - 1] = self.fusions[str(i - 1)](laterals[i - 1],
                                                           laterals[i])
            else:
                laterals[i - 1] = laterals[i - 1] + resize(
                    laterals[i],
                    size=laterals[i - 1].shape[2:],
                    mode='bilinear',
                    align_corners=self.align_corners)

        fpn_outs = [
            self.fpn_convs[i](laterals[i])
            for i in range(used_backbone_levels - 1)
        ]
        fpn_outs.append(laterals[-1])
        for i in range(used_backbone_levels - 1, 0, -1):
            fpn_outs[i] = resize(
                fpn_outs[i],
                size=fpn_outs[0].shape[2:],
                mode='bilinear',
                align_corners=self.align_corners)
        fpn_outs = torch.cat(fpn_outs, dim=1)
        return self.fpn_bottleneck(fpn_outs)
