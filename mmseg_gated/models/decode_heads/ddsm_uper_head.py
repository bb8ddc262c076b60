# Copyright (c) mmseg_gated contributors. All rights reserved.
import copy
from typing import Sequence

import torch
import torch.nn as nn
from mmseg.models.decode_heads import UPerHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS


@MODELS.register_module()
class DDSMUPerHead(UPerHead):
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

    Args:
        fusion_cfg (dict): Config of the fusion module, built with
            ``low_channels = high_channels = channels = self.channels`` and
            this head's ``conv_cfg/norm_cfg/act_cfg/align_corners`` unless
            given. Default: ``dict(type='DDSM')``.
        fusion_levels (Sequence[int]): Lateral levels formed by the fusion
            module. Default: (0, 1, 2).
        **kwargs: :class:`mmseg.models.decode_heads.UPerHead` arguments.
    """

    def __init__(self,
                 fusion_cfg: dict = dict(type='DDSM'),
                 fusion_levels: Sequence[int] = (0, 1, 2),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        num_levels = len(self.in_channels)
        fusion_levels = tuple(fusion_levels)
        if not fusion_levels or len(set(fusion_levels)) != len(
                fusion_levels) or any(
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
        inputs = self._transform_inputs(inputs)
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
