# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

from mmseg.models.decode_heads import PSPHead
from mmseg.registry import MODELS

from ..layers import GatedScaleTransfer
from ..utils import HeadInputsMixin


@MODELS.register_module()
class GSTOPSPHead(HeadInputsMixin, PSPHead):
    """PSPNet head whose pyramid pooling module transfers scale through
    gates (GSTO-PPM, GSTO Eq. 1-2).

    Each pooling branch of mmseg's PPM (``AdaptiveAvgPool2d`` + 1x1 conv) is
    wrapped in :class:`GatedScaleTransfer`: the input is gated before it is
    pooled (down-sampling) and the branch output is gated before PPM
    up-samples it back, ``up(g_out * conv(pool(g_in * x)))``. Everything
    else (the concatenation with ``x``, the bottleneck, the classifier) is
    mmseg's :class:`PSPHead`, whose forward is reused unchanged.

    Args:
        gate_norm_cfg (dict, optional): Norm before each gate's sigmoid
            (authors' HRNet variant: BN). Default: None.
        gate_act_cfg (dict, optional): Activation before each gate's
            sigmoid. Default: None.
        gate_up (bool): Also gate before the up-sampling. Default: True.
        **kwargs: Arguments of :class:`mmseg.models.decode_heads.PSPHead`.
    """

    def __init__(self,
                 gate_norm_cfg: Optional[dict] = None,
                 gate_act_cfg: Optional[dict] = None,
                 gate_up: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if self.input_transform == 'multiple_select':
            raise ValueError('GSTOPSPHead needs a single input feature, got '
                             "input_transform='multiple_select'")
        for k, branch in enumerate(self.psp_modules):
            self.psp_modules[k] = GatedScaleTransfer(
                branch,
                self.in_channels,
                self.channels if gate_up else None,
                gate_norm_cfg=gate_norm_cfg,
                gate_act_cfg=gate_act_cfg)
