# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional

import torch
import torch.nn as nn
from mmseg.models.utils import resize
from mmseg.registry import MODELS

from ..layers import SpatialGate, SupervisedGate
from .gsto_hrnet import GSTOHRNet


@MODELS.register_module()
class GSTOOfficialHRNet(GSTOHRNet):
    """GSTO-HRNet in the authors' released layout (VDIGPKU/GSTO).

    The layout of the authors' code, which produced the paper's numbers and
    their released checkpoints; ``tools/model_converters/gsto_hrnet.py``
    converts those checkpoints to this class. It differs from the paper's
    equations (:class:`GSTOHRNet`) in:

    - every gate is conv1x1 + BN + ReLU before the sigmoid (so gates lie in
      [0.5, 1)), and the identity path ``i -> i`` of every fuse is gated
      too;
    - the supervised gates predict from all branches: their stage heads
      resize-concatenate the branches to 1/4 resolution, then 1x1 conv + BN
      + ReLU and a 1x1 conv to the classes (the returned stage-2/3
      predictions, at 1/4 resolution); the gate is a 3x3 conv + BN + ReLU
      chain from the prediction, with stride-2 3x3 convs down to the gated
      branch, closed by the sigmoid;
    - the 1->2 transition is not gated (the authors build a gate for it that
      their forward never uses; it is not built here);
    - the fuse layers resize a lower-resolution branch once, bilinearly,
      to the target size, as the official HRNet code (``resize_once``
      defaults to True).

    Args:
        extra (dict): Stage configuration, as for mmseg's ``HRNet``.
        num_classes (int, optional): Classes of the stage predictions; None
            gives unsupervised (BN + ReLU) transition gates. Default: None.
        resize_once (bool): See :class:`GSTOHRNet`. Default: True.
        **kwargs: Other arguments of :class:`GSTOHRNet`.
    """

    def __init__(self,
                 extra: dict,
                 num_classes: Optional[int] = None,
                 resize_once: bool = True,
                 **kwargs) -> None:
        super().__init__(
            extra, num_classes=num_classes, resize_once=resize_once, **kwargs)

    def _gate_module_kwargs(self) -> dict:
        """BN + ReLU before every gate's sigmoid; identity paths gated."""
        return dict(
            gate_norm_cfg=self.norm_cfg,
            gate_act_cfg=dict(type='ReLU'),
            gate_identity=True)

    def _make_transition_gate(
            self, index: int, pre_channels: List[int],
            num_classes: Optional[int]) -> Optional[nn.Module]:
        """No gate at 1->2; the authors' stage head and 3x3 gate chain at
        2->3 and 3->4 (a BN + ReLU gate without classes)."""
        if index == 1:
            return None
        if num_classes is None:
            return SpatialGate(
                pre_channels[-1],
                norm_cfg=self.norm_cfg,
                act_cfg=dict(type='ReLU'))
        total = sum(pre_channels)
        return SupervisedGate(
            total,
            num_classes,
            predictor_channels=total,
            kernel_size=3,
            num_strides=len(pre_channels) - 1,
            norm_cfg=self.norm_cfg,
            act_cfg=dict(type='ReLU'),
            predictor_norm_cfg=self.norm_cfg,
            conv_cfg=self.conv_cfg)

    def _predictor_input(self, y_list: List[torch.Tensor]) -> torch.Tensor:
        """All branches resized (bilinear, once) to the first and
        concatenated, as the authors' stage heads."""
        size = y_list[0].shape[2:]
        return torch.cat([y_list[0]] + [
            resize(y, size=size, mode='bilinear', align_corners=False)
            for y in y_list[1:]
        ], 1)
