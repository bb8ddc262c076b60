# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch.nn as nn
from mmseg.models.decode_heads import ASPPHead
from mmseg.registry import MODELS

from ..layers import GatedScaleTransfer
from ..utils import HeadInputsMixin


def gate_aspp(head: nn.Module, gate_norm_cfg: Optional[dict],
              gate_act_cfg: Optional[dict], gate_atrous: bool) -> None:
    """Wrap an ASPP head's image-pooling branch (and its atrous branches) in
    :class:`GatedScaleTransfer`; the head's forward is left unchanged."""
    head.image_pool = GatedScaleTransfer(
        head.image_pool,
        head.in_channels,
        head.channels,
        gate_norm_cfg=gate_norm_cfg,
        gate_act_cfg=gate_act_cfg)
    if not gate_atrous:
        return
    for k, dilation in enumerate(head.dilations):
        if dilation > 1:
            head.aspp_modules[k] = GatedScaleTransfer(
                head.aspp_modules[k],
                head.in_channels,
                gate_norm_cfg=gate_norm_cfg,
                gate_act_cfg=gate_act_cfg)


@MODELS.register_module()
class GSTOASPPHead(HeadInputsMixin, ASPPHead):
    """DeepLabV3 ASPP head with gated scale-transfer operations (GSTO-ASPP,
    GSTO Eq. 1-2).

    The image-pooling branch gates its input before the global pooling and
    its output before the up-sampling, ``up(g_out * conv(pool(g_in * x)))``;
    with ``gate_atrous`` each atrous branch (dilation > 1, whose receptive
    field is a coarser scale) sees ``g_k * x``. The 1x1 branch is left as
    is. mmseg's :class:`ASPPHead` forward is reused unchanged.

    Args:
        gate_norm_cfg (dict, optional): Norm before each gate's sigmoid.
            Default: None.
        gate_act_cfg (dict, optional): Activation before each gate's
            sigmoid. Default: None.
        gate_atrous (bool): Gate the atrous branches too. Default: True.
        **kwargs: Arguments of :class:`mmseg.models.decode_heads.ASPPHead`.
    """

    def __init__(self,
                 gate_norm_cfg: Optional[dict] = None,
                 gate_act_cfg: Optional[dict] = None,
                 gate_atrous: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        gate_aspp(self, gate_norm_cfg, gate_act_cfg, gate_atrous)
