# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor

from ..layers import SpatialGate

FUSIONS = ('concat', 'add', 'fpn', 'gated_fpn', 'gff')


@MODELS.register_module()
class GFFNeck(BaseModule):
    """Multi-level feature fusion of "Gated Fully Fusion for Semantic
    Segmentation" (Li et al., AAAI 2020), with the baselines of its Table 1.

    Every level ``X_l`` (ordered shallow to deep) is reduced to
    ``out_channels`` with a 1x1 ConvModule; "resize" below is bilinear
    resampling to the receiving level's size. With ``fusion``:

    - ``'concat'`` (Eq. 2): one map at the finest level,
      ``concat(X_1, ..., X_L)`` (``L * out_channels`` channels);
    - ``'add'`` (Eq. 3): one map at the finest level, ``sum_i X_i``;
    - ``'fpn'`` (Eq. 4): ``X~_l = X_l + resize(X~_{l+1})``, ``X~_L = X_L``;
    - ``'gated_fpn'``: the FPN top-down path with GFF's duplex gates
      (the paper gives no formula; ours is Eq. 5 restricted to the next
      level up): ``X~_l = (1 + G_l) X_l + (1 - G_l) resize(G_{l+1} X~_{l+1})``,
      ``X~_L = X_L``;
    - ``'gff'`` (Eq. 5): ``X~_l = (1 + G_l) X_l + (1 - G_l)
      sum_{i != l} resize(G_i X_i)``, every level from the un-fused inputs.

    Gates are ``G_l = sigmoid(conv1x1(X_l))``, one channel, on the level's
    *own input* (before the reduction): ``self.gates[l]``, a
    :class:`SpatialGate`. Tools read or replace a gate map through a forward
    hook on that module (``tools/analysis_tools/visualize_gff.py``: a hook
    that returns zeros is Fig. 7b's "gate set to 0"). The authors' layout
    (128-channel gates, levels fused one after the other) is
    :class:`GFFOfficialNeck`.

    Args:
        in_channels (Sequence[int]): Channels of each input level, shallow
            to deep.
        out_channels (int): Common width after the 1x1 reduction.
            Default: 256.
        fusion (str): One of ``'concat'``, ``'add'``, ``'fpn'``,
            ``'gated_fpn'``, ``'gff'``. Default: 'gff'.
        gate_cfg (dict, optional): Extra arguments of :class:`SpatialGate`
            (``kernel_size``, ``norm_cfg``, ``act_cfg``; ``gate_channels``
            must be 1 or ``out_channels``). Default: None.
        conv_cfg (dict, optional): Conv config of the reductions.
        norm_cfg (dict, optional): Norm config of the reductions.
            Default: dict(type='BN').
        act_cfg (dict): Activation of the reductions. Default: ReLU.
        align_corners (bool): ``align_corners`` of the resizes.
            Default: False.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int = 256,
                 fusion: str = 'gff',
                 gate_cfg: Optional[dict] = None,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: Optional[dict] = dict(type='ReLU'),
                 align_corners: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not isinstance(in_channels, (list, tuple)) or len(in_channels) < 2:
            raise ValueError('in_channels must list the channels of at least '
                             f'2 levels, got {in_channels!r}')
        if fusion not in FUSIONS:
            raise ValueError(f'fusion must be one of {FUSIONS}, got '
                             f'{fusion!r}')
        gate_cfg = dict(gate_cfg or {})
        gate_channels = gate_cfg.get('gate_channels', 1)
        if gate_channels not in (1, out_channels):
            raise ValueError('gate_cfg: gate_channels must be 1 or '
                             f'out_channels ({out_channels}), got '
                             f'{gate_channels}')
        self.in_channels = list(in_channels)
        self.num_levels = len(in_channels)
        self.channels = out_channels
        self.fusion = fusion
        self.align_corners = align_corners

        self.reduce_convs = nn.ModuleList(
            ConvModule(
                c,
                out_channels,
                1,
                conv_cfg=conv_cfg,
                norm_cfg=norm_cfg,
                act_cfg=act_cfg) for c in in_channels)
        if fusion in ('gff', 'gated_fpn'):
            # the top level of the gated FPN only sends (its gate is used)
            self.gates = nn.ModuleList(
                SpatialGate(c, **gate_cfg) for c in in_channels)
        else:
            self.gates = None

        if fusion == 'concat':
            self.out_channels = [out_channels * self.num_levels]
        elif fusion == 'add':
            self.out_channels = [out_channels]
        else:
            self.out_channels = [out_channels] * self.num_levels

    def _check_inputs(self, inputs: Sequence[Tensor]) -> None:
        if not isinstance(inputs, (list, tuple)) or \
                len(inputs) != self.num_levels:
            n = len(inputs) if isinstance(inputs, (list, tuple)) else 'a ' + \
                type(inputs).__name__
            raise ValueError(f'{type(self).__name__} expects '
                             f'{self.num_levels} levels, got {n}')
        for i, (x, c) in enumerate(zip(inputs, self.in_channels)):
            if x.dim() != 4 or x.size(1) != c:
                raise ValueError(f'{type(self).__name__} level {i}: expected '
                                 f'B x {c} x H x W, got {tuple(x.shape)}')

    def _resize(self, x: Tensor, like: Tensor) -> Tensor:
        if x.shape[2:] == like.shape[2:]:
            return x
        return resize(
            x,
            size=like.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)

    def _fuse(self, feats: List[Tensor],
              gates: Optional[List[Tensor]]) -> List[Tensor]:
        """Fuse the reduced levels (and their gates) by ``fusion``."""
        L = self.num_levels
        if self.fusion == 'concat':
            return [
                torch.cat([self._resize(f, feats[0]) for f in feats], dim=1)
            ]
        if self.fusion == 'add':
            return [sum(self._resize(f, feats[0]) for f in feats)]
        if self.fusion == 'fpn':
            outs = [None] * L
            outs[-1] = feats[-1]
            for i in range(L - 2, -1, -1):
                outs[i] = feats[i] + self._resize(outs[i + 1], feats[i])
            return outs
        if self.fusion == 'gated_fpn':
            outs = [None] * L
            outs[-1] = feats[-1]
            for i in range(L - 2, -1, -1):
                sent = self._resize(gates[i + 1] * outs[i + 1], feats[i])
                outs[i] = (1 + gates[i]) * feats[i] + (1 - gates[i]) * sent
            return outs
        # gff, Eq. 5: every level receives the gated un-fused others
        sent = [g * f for g, f in zip(gates, feats)]
        outs = []
        for k in range(L):
            received = sum(
                self._resize(sent[i], feats[k]) for i in range(L) if i != k)
            outs.append((1 + gates[k]) * feats[k] + (1 - gates[k]) * received)
        return outs

    def forward(self, inputs: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        """Fuse the levels.

        Args:
            inputs (Sequence[Tensor]): ``num_levels`` maps, shallow to deep.

        Returns:
            tuple[Tensor]: Fused maps, one per level (own resolution), or one
            map at the finest resolution for ``'concat'``/``'add'``.
        """
        self._check_inputs(inputs)
        gates = None
        if self.gates is not None:
            gates = [gate(x) for gate, x in zip(self.gates, inputs)]
        feats = [conv(x) for conv, x in zip(self.reduce_convs, inputs)]
        return tuple(self._fuse(feats, gates))
