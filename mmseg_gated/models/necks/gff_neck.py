# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mmseg.models.utils import resize
from mmseg.registry import MODELS
from ..layers import SpatialGate

FUSIONS = ('concat', 'add', 'fpn', 'gated_fpn', 'gff')
ORDERS = ('parallel', 'sequential')


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
      sum_{i != l} resize(G_i X_i)``.

    Gates are ``G_l = sigmoid(conv1x1(X_l))`` on the level's *own input*
    (before the reduction), :class:`SpatialGate`. ``order='sequential'`` is
    the authors' code: levels are fused shallow to deep and each uses the
    already-fused shallower levels, ``X~_l = (1 + G_l) X_l + (1 - G_l)
    (sum_{i<l} resize(G_i X~_i) + sum_{i>l} resize(G_i X_i))``.

    The gate maps of the last forward are kept in ``self.last_gates`` (one
    ``B x gate_channels x H_l x W_l`` tensor per level, detached; None for
    un-gated fusions) for tools. ``self.forced_gates`` (dict level -> float)
    replaces a level's gate by a constant, e.g. ``{0: 0.}`` (Fig. 7b).

    Args:
        in_channels (Sequence[int]): Channels of each input level, shallow
            to deep.
        out_channels (int): Common width after the 1x1 reduction.
            Default: 256.
        fusion (str): One of ``'concat'``, ``'add'``, ``'fpn'``,
            ``'gated_fpn'``, ``'gff'``. Default: 'gff'.
        gate_channels (int): Channels of each gate map: 1 (paper) or
            ``out_channels`` (the authors' code: 128 with 128-channel
            levels). Default: 1.
        order (str): ``'parallel'`` (Eq. 5, all from the un-fused inputs) or
            ``'sequential'`` (authors' code). Only for ``'gff'``.
            Default: 'parallel'.
        gate_cfg (dict, optional): Extra arguments of :class:`SpatialGate`
            (``kernel_size``, ``norm_cfg``, ``act_cfg``). Default: None.
        conv_cfg (dict, optional): Conv config of the reductions.
        norm_cfg (dict, optional): Norm config of the reductions.
            Default: dict(type='BN').
        act_cfg (dict): Activation of the reductions. Default: ReLU.
        align_corners (bool): ``align_corners`` of the resizes (the authors
            use True). Default: False.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int = 256,
                 fusion: str = 'gff',
                 gate_channels: int = 1,
                 order: str = 'parallel',
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
        if order not in ORDERS:
            raise ValueError(f'order must be one of {ORDERS}, got {order!r}')
        if order == 'sequential' and fusion != 'gff':
            raise ValueError("order='sequential' only applies to "
                             f"fusion='gff', got fusion={fusion!r}")
        if gate_channels not in (1, out_channels):
            raise ValueError('gate_channels must be 1 or out_channels '
                             f'({out_channels}), got {gate_channels}')
        self.in_channels = list(in_channels)
        self.num_levels = len(in_channels)
        self.channels = out_channels
        self.fusion = fusion
        self.order = order
        self.gate_channels = gate_channels
        self.align_corners = align_corners
        self.forced_gates: Dict[int, float] = {}
        self.last_gates: List[Optional[Tensor]] = [None] * self.num_levels

        self.reduce_convs = nn.ModuleList(
            ConvModule(
                c,
                out_channels,
                1,
                conv_cfg=conv_cfg,
                norm_cfg=norm_cfg,
                act_cfg=act_cfg) for c in in_channels)
        if fusion in ('gff', 'gated_fpn'):
            gate_cfg = dict(gate_cfg or {})
            # the top level of the gated FPN only sends (its gate is used)
            self.gates = nn.ModuleList(
                SpatialGate(c, gate_channels, **gate_cfg) for c in in_channels)
        else:
            self.gates = None

        if fusion == 'concat':
            self.out_channels = [out_channels * self.num_levels]
        elif fusion == 'add':
            self.out_channels = [out_channels]
        else:
            self.out_channels = [out_channels] * self.num_levels

    # ------------------------------------------------------------------
    def _check_inputs(self, inputs: Sequence[Tensor]) -> None:
        if not isinstance(inputs, (list, tuple)) or \
                len(inputs) != self.num_levels:
            n = len(inputs) if isinstance(inputs, (list, tuple)) else 'a ' + \
                type(inputs).__name__
            raise ValueError(f'GFFNeck expects {self.num_levels} levels, '
                             f'got {n}')
        for i, (x, c) in enumerate(zip(inputs, self.in_channels)):
            if x.dim() != 4 or x.size(1) != c:
                raise ValueError(f'GFFNeck level {i}: expected B x {c} x H x '
                                 f'W, got {tuple(x.shape)}')

    def _resize(self, x: Tensor, like: Tensor) -> Tensor:
        if x.shape[2:] == like.shape[2:]:
            return x
        return resize(
            x, size=like.shape[2:], mode='bilinear',
            align_corners=self.align_corners)

    def reduce(self, inputs: Sequence[Tensor]) -> List[Tensor]:
        """1x1 reductions of every level to ``out_channels``."""
        return [conv(x) for conv, x in zip(self.reduce_convs, inputs)]

    def compute_gates(self, inputs: Sequence[Tensor]) -> List[Tensor]:
        """Gate map of every level from its own (un-reduced) input; levels
        in ``forced_gates`` get a constant map."""
        gates = []
        for i, (gate, x) in enumerate(zip(self.gates, inputs)):
            if i in self.forced_gates:
                g = x.new_full((x.size(0), self.gate_channels, *x.shape[2:]),
                               float(self.forced_gates[i]))
            else:
                g = gate(x)
            gates.append(g)
        return gates

    def fuse(self, feats: List[Tensor],
             gates: Optional[List[Tensor]] = None) -> List[Tensor]:
        """Fuse reduced features (and gates) according to ``fusion``."""
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
        # gff, Eq. 5
        sent = [g * f for g, f in zip(gates, feats)]
        outs = []
        for l in range(L):
            received = 0
            for i in range(L):
                if i != l:
                    received = received + self._resize(sent[i], feats[l])
            out = (1 + gates[l]) * feats[l] + (1 - gates[l]) * received
            outs.append(out)
            if self.order == 'sequential':
                # later levels receive the already-fused level l
                sent[l] = gates[l] * out
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
        gates = self.compute_gates(inputs) if self.gates is not None else None
        self.last_gates = [g.detach() for g in gates] if gates is not None \
            else [None] * self.num_levels
        return tuple(self.fuse(self.reduce(inputs), gates))
