# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional

import torch
import torch.nn as nn
from mmengine.model import Sequential
from mmseg.models.backbones import HRNet
from mmseg.models.utils import resize
from mmseg.registry import MODELS

from ..layers import SpatialGate, SupervisedGate
from .gsto_hr_module import GSTOHRModule
from .resize_once_hrnet import resize_fuse_once


@MODELS.register_module()
class GSTOHRNet(HRNet):
    """GSTO-HRNet: HRNet with gated scale-transfer operations (the paper).

    A drop-in for :class:`mmseg.models.backbones.HRNet` (same ``extra``
    dict, same keys for every HRNet weight, so ImageNet HRNet checkpoints
    load and mmseg's FCN/OCR heads work unchanged), where

    - every cross-resolution fuse path of every HR module gates its source
      feature before up-/down-sampling it, ``F_g = g * F`` with ``g =
      sigmoid(conv1x1(F))`` (unsupervised GSTO, Eq. 1-2;
      :class:`GSTOHRModule`);
    - the stage transition 1->2 gates the feature it down-samples into the
      new branch with an unsupervised gate; the transitions 2->3 and 3->4
      with a supervised GSTO (Eq. 3-4, :class:`SupervisedGate`): a 1x1
      predictor on the gated (lowest-resolution) branch gives class scores
      ``P`` supervised by the ground truth, and ``g = sigmoid(conv1x1(P))``.
      The predictions are **returned after the four features**:
      ``forward`` gives ``[x_1/4, x_1/8, x_1/16, x_1/32, logits_stage2,
      logits_stage3]`` when ``num_classes`` is set. Heads that pick
      ``in_index=(0, 1, 2, 3)`` (all mmseg HRNet configs) ignore them;
      :class:`GSTOAuxHead` with ``in_index=4`` / ``5`` applies their losses
      (authors' weights 0.3 and 0.5).

    With ``num_classes=None`` the transitions 2->3 and 3->4 get unsupervised
    gates and no predictions are returned. The authors' released layout
    (BN + ReLU gates, their stage heads and gate chains) is
    :class:`GSTOOfficialHRNet`.

    Args:
        extra (dict): Stage configuration, as for mmseg's ``HRNet``.
        num_classes (int, optional): Classes of the supervised gates'
            predictions; None for unsupervised transition gates.
            Default: None.
        resize_once (bool): Fuse a lower-resolution branch with one bilinear
            resize to the target size, as the official HRNet code does
            (:func:`resize_fuse_once`); False keeps mmseg's ``2 ** k``
            upsampling + resize. The two differ only when an input side is
            not a multiple of 32. Default: False.
        **kwargs: Other arguments of :class:`mmseg.models.backbones.HRNet`
            (in_channels, conv_cfg, norm_cfg, norm_eval, with_cp,
            frozen_stages, zero_init_residual, multiscale_output, pretrained,
            init_cfg).
    """

    def __init__(self,
                 extra: dict,
                 num_classes: Optional[int] = None,
                 resize_once: bool = False,
                 **kwargs) -> None:
        if num_classes is not None and (not isinstance(num_classes, int)
                                        or num_classes <= 0):
            raise ValueError('num_classes must be a positive int or None, '
                             f'got {num_classes!r}')
        # Read by _make_stage, which HRNet.__init__ calls.
        self.resize_once = bool(resize_once)
        super().__init__(extra, **kwargs)
        self.num_classes = num_classes

        ch = []  # output channels of stages 1..3
        for s in (1, 2, 3):
            cfg = self.extra[f'stage{s}']
            block = self.blocks_dict[cfg['block']]
            ch.append([c * block.expansion for c in cfg['num_channels']])
        self.transition_gate1 = self._make_transition_gate(1, ch[0], None)
        self.transition_gate2 = self._make_transition_gate(
            2, ch[1], num_classes)
        self.transition_gate3 = self._make_transition_gate(
            3, ch[2], num_classes)

    def _gate_module_kwargs(self) -> dict:
        """Gate arguments of every :class:`GSTOHRModule` (Eq. 2: a plain
        1x1 conv before the sigmoid, scale-transfer paths only)."""
        return dict(gate_norm_cfg=None, gate_act_cfg=None, gate_identity=False)

    def _make_transition_gate(
            self, index: int, pre_channels: List[int],
            num_classes: Optional[int]) -> Optional[nn.Module]:
        """Gate of the feature that transition ``index`` down-samples into
        a new branch (the last branch of the previous stage, whose branch
        widths are ``pre_channels``): Eq. 2 without classes, Eq. 3-4 on that
        branch with them."""
        if num_classes is None:
            return SpatialGate(pre_channels[-1])
        return SupervisedGate(pre_channels[-1], num_classes)

    def _make_stage(self, layer_config, in_channels, multiscale_output=True):
        """Build a stage of :class:`GSTOHRModule` (HRNet._make_stage with
        the gated module)."""
        num_modules = layer_config['num_modules']
        block = self.blocks_dict[layer_config['block']]
        hr_modules = []
        for i in range(num_modules):
            # multiscale_output only matters for the last module
            multiscale = multiscale_output or i < num_modules - 1
            hr_modules.append(
                GSTOHRModule(
                    layer_config['num_branches'],
                    block,
                    layer_config['num_blocks'],
                    in_channels,
                    layer_config['num_channels'],
                    multiscale,
                    with_cp=self.with_cp,
                    norm_cfg=self.norm_cfg,
                    conv_cfg=self.conv_cfg,
                    **self._gate_module_kwargs()))
        if self.resize_once:
            resize_fuse_once(hr_modules)
        return Sequential(*hr_modules), in_channels

    def _predictor_input(self, y_list: List[torch.Tensor]) -> torch.Tensor:
        """Feature a supervised gate predicts from (Eq. 3: the gated
        branch)."""
        return y_list[-1]

    def _gate_source(self, gate: Optional[nn.Module],
                     y_list: List[torch.Tensor]):
        """Gate map for ``y_list[-1]`` and the supervised logits (or None)."""
        if gate is None:
            return None, None
        if not isinstance(gate, SupervisedGate):
            return gate(y_list[-1]), None
        g, logits = gate(self._predictor_input(y_list))
        if g.shape[2:] != y_list[-1].shape[2:]:
            g = resize(
                g,
                size=y_list[-1].shape[2:],
                mode='bilinear',
                align_corners=False)
        return g, logits

    def _transition(self, transition: nn.ModuleList, gate: Optional[nn.Module],
                    y_list: List[torch.Tensor], num_branches: int):
        """Inputs of the next stage: existing branches pass (through a conv
        if their width changes); new branches are down-sampled from the
        gated last branch (GSTO)."""
        g, logits = self._gate_source(gate, y_list)
        src = y_list[-1] if g is None else g * y_list[-1]
        x_list = []
        for i in range(num_branches):
            if i < len(y_list):
                x = y_list[i]
                x_list.append(x if transition[i] is None else transition[i](x))
            else:
                x_list.append(transition[i](src))
        return x_list, logits

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        """Four multi-resolution features, then (with ``num_classes``) the
        stage-2 and stage-3 predictions of the supervised gates."""
        x = self.conv1(x)
        x = self.norm1(x)
        x = self.relu(x)
        x = self.conv2(x)
        x = self.norm2(x)
        x = self.relu(x)
        x = self.layer1(x)

        x_list, _ = self._transition(self.transition1, self.transition_gate1,
                                     [x], self.stage2_cfg['num_branches'])
        y_list = self.stage2(x_list)
        x_list, aux2 = self._transition(self.transition2,
                                        self.transition_gate2, y_list,
                                        self.stage3_cfg['num_branches'])
        y_list = self.stage3(x_list)
        x_list, aux3 = self._transition(self.transition3,
                                        self.transition_gate3, y_list,
                                        self.stage4_cfg['num_branches'])
        y_list = self.stage4(x_list)
        outs = list(y_list)
        if self.num_classes is not None:
            outs += [aux2, aux3]
        return outs
