# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

from mmseg.models.decode_heads import DepthwiseSeparableASPPHead
from mmseg.registry import MODELS

from ..utils import HeadInputsMixin
from .gsto_aspp_head import gate_aspp


@MODELS.register_module()
class GSTOSepASPPHead(HeadInputsMixin, DepthwiseSeparableASPPHead):
    """DeepLabV3+ head with GSTO-ASPP (GSTO Eq. 1-2).

    The gating of :class:`GSTOASPPHead` (image pooling gated before pooling
    and before up-sampling; atrous branches gated on their input) applied to
    mmseg's :class:`DepthwiseSeparableASPPHead`; the decoder (low-level
    ``c1`` branch and separable bottleneck) and forward are unchanged.

    Args:
        gate_norm_cfg (dict, optional): Norm before each gate's sigmoid.
            Default: None.
        gate_act_cfg (dict, optional): Activation before each gate's
            sigmoid. Default: None.
        gate_atrous (bool): Gate the atrous branches too. Default: True.
        **kwargs: Arguments of
            :class:`mmseg.models.decode_heads.DepthwiseSeparableASPPHead`.
    """

    def __init__(self,
                 gate_norm_cfg: Optional[dict] = None,
                 gate_act_cfg: Optional[dict] = None,
                 gate_atrous: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        gate_aspp(self, gate_norm_cfg, gate_act_cfg, gate_atrous)
