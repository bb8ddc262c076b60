# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional

import torch
from mmengine.model import ModuleList
from mmseg.models.backbones.hrnet import HRModule
from mmseg.models.utils import resize

from ..layers import SpatialGate


class GSTOHRModule(HRModule):
    """HRNet module whose fuse paths transfer scale through gates (GSTO,
    Eq. 1-2).

    Identical to :class:`mmseg.models.backbones.hrnet.HRModule` (same
    branches and fuse layers, same state-dict keys, so HRNet weights load)
    plus one :class:`SpatialGate` per fuse path ``j -> i``: the source
    feature is gated, ``x_j <- g_ij * x_j`` with ``g_ij = sigmoid(conv1x1(
    x_j))``, before the fuse layer up- or down-samples it. Gates live in
    ``gate_layers[i][j]``.

    Args:
        gate_norm_cfg (dict, optional): Norm before each gate's sigmoid
            (authors' code: BN). Default: None.
        gate_act_cfg (dict, optional): Activation before each gate's sigmoid
            (authors' code: ReLU). Default: None.
        gate_identity (bool): Also gate the identity path ``i -> i`` (no
            scale transfer; the authors' code does). Default: False.
        **kwargs: The arguments of
            :class:`mmseg.models.backbones.hrnet.HRModule` (num_branches,
            blocks, num_blocks, in_channels, num_channels, ...).
    """

    def __init__(self,
                 *args,
                 gate_norm_cfg: Optional[dict] = None,
                 gate_act_cfg: Optional[dict] = None,
                 gate_identity: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate_identity = gate_identity
        self.gate_layers = self._make_gate_layers(gate_norm_cfg, gate_act_cfg)

    def _make_gate_layers(self, gate_norm_cfg, gate_act_cfg):
        """One gate per fuse path, on the source branch's channels."""
        if self.num_branches == 1:
            return None
        num_out = self.num_branches if self.multiscale_output else 1
        gate_layers = ModuleList()
        for i in range(num_out):
            row = []
            for j in range(self.num_branches):
                if i == j and not self.gate_identity:
                    row.append(None)
                else:
                    row.append(
                        SpatialGate(
                            self.in_channels[j],
                            norm_cfg=gate_norm_cfg,
                            act_cfg=gate_act_cfg))
            gate_layers.append(ModuleList(row))
        return gate_layers

    def forward(self, x: List[torch.Tensor]) -> List[torch.Tensor]:
        """Branches, then the gated fuse (HRModule's fuse, Eq. 1 on every
        source)."""
        if self.num_branches == 1:
            return [self.branches[0](x[0])]

        for i in range(self.num_branches):
            x[i] = self.branches[i](x[i])

        x_fuse = []
        for i in range(len(self.fuse_layers)):
            y = 0
            for j in range(self.num_branches):
                gate = self.gate_layers[i][j]
                src = x[j] if gate is None else gate(x[j]) * x[j]
                if i == j:
                    y = y + src
                elif j > i:
                    y = y + resize(
                        self.fuse_layers[i][j](src),
                        size=x[i].shape[2:],
                        mode='bilinear',
                        align_corners=False)
                else:
                    y = y + self.fuse_layers[i][j](src)
            x_fuse.append(self.relu(y))
        return x_fuse
