# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.aspp_head import ASPPModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor

from ..necks.gff_official_neck import GFFOfficialNeck
from ..utils import HeadInputsMixin
from .dense_aspp_head import preact_conv


@MODELS.register_module()
class GFFOfficialHead(HeadInputsMixin, BaseDecodeHead):
    """The head of the authors' released DeepLabV3+ / WiderResNet-38 GFFNet
    (lxtGH/DecoupleSegNets, ``network/gffnets.py``: ``DeepWV3PlusGFFNet``'s
    ``aspp``, ``bot_aspp`` and ``WiderResNetGFFDFPHead``), GFF Table 8.

    Exists for ``tools/model_converters/gff_wrn38_decouple.py``, so that
    their released checkpoint gives their outputs
    (``configs/gff/gffnet-deeplabv3plus_wrn38-a2_8xb1-100k_cityscapes-864x864.py``).
    The paper's method is :class:`GFFHead`; this layout differs from it in:

    - context: DeepLabV3's ASPP with image pooling (mmseg's ``ASPPHead``
      modules) and a plain 3x3 conv ``bottleneck`` without norm, bias or
      activation (their ``bot_aspp``), giving ``y_0``;
    - fusion: the inputs but the last plus ``y_0`` are the levels of a
      :class:`GFFOfficialNeck` (``channels_fused``-wide gates, sequential
      fusion); no refinement convs;
    - DFP at the finest level's resolution (1/2 for WRN-38: the mod2
      output), top-down, ``y_l = H_l([y_L, ..., y_{l+1}, X~_l])`` without
      ``y_0``; ``H_l`` is BN-ReLU-1x1 conv, BN-ReLU-3x3 conv with dilation
      ``dfp_dilations`` (deepest first);
    - the concat holds the *reduced, un-fused* ``y_0`` (the neck's 1x1
      reduction of the context level, which :class:`GFFOfficialNeck`
      returns after the fused levels) and ``[y_L, ..., y_1]``, then two 3x3
      ConvModules
      (``fpn_bottleneck``) and the classifier;
    - every resize follows ``align_corners`` (True in the config).

    Re-arrangements of the same weights are left to the converter: their
    concat is ``[y_L, y_0, y_{L-1}, ..., y_1]`` (the input channels of the
    first ``fpn_bottleneck`` conv are permuted) and their classifier has no
    bias (set to 0). Set ``dropout_ratio=0`` (their classifier has none).

    Args:
        in_channels (Sequence[int]): Channels of the selected inputs,
            shallow to deep: the fusion levels, then the ASPP input (WRN-38:
            ``[128, 1024, 4096]``).
        channels (int): Width of the two ``fpn_bottleneck`` convs.
        context_channels (int): Width of the ASPP branches and of ``y_0``.
            Default: 256.
        dilations (Sequence[int]): ASPP dilations; the first (1) is the 1x1
            branch. Default: (1, 12, 24, 36).
        channels_fused (int): Width of the reduced levels, the gates and the
            DFP blocks. Default: 128.
        dfp_dilations (Sequence[int]): Dilation of each DFP block, deepest
            first, one per level (``len(in_channels)``). Default: (3, 6, 9).
        **kwargs: :class:`BaseDecodeHead` arguments.
    """

    def __init__(self,
                 context_channels: int = 256,
                 dilations: Sequence[int] = (1, 12, 24, 36),
                 channels_fused: int = 128,
                 dfp_dilations: Sequence[int] = (3, 6, 9),
                 **kwargs) -> None:
        kwargs.setdefault('input_transform', 'multiple_select')
        super().__init__(**kwargs)
        if self.input_transform != 'multiple_select':
            raise ValueError(
                "GFFOfficialHead needs input_transform='multiple_select', "
                f'got {self.input_transform!r}')
        in_channels = list(self.in_channels)
        if len(in_channels) < 2:
            raise ValueError('GFFOfficialHead needs at least 2 inputs (levels '
                             f'and the ASPP input), got in_channels='
                             f'{in_channels}')
        num_levels = len(in_channels)
        if len(dfp_dilations) != num_levels:
            raise ValueError(f'dfp_dilations needs {num_levels} values (one '
                             f'per level), got {tuple(dfp_dilations)}')
        cfg = dict(
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)

        # ASPP (mmseg's ASPPHead names) and their bot_aspp
        self.image_pool = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            ConvModule(in_channels[-1], context_channels, 1, **cfg))
        self.aspp_modules = ASPPModule(dilations, in_channels[-1],
                                       context_channels, **cfg)
        self.bottleneck = ConvModule(
            (len(dilations) + 1) * context_channels,
            context_channels,
            3,
            padding=1,
            bias=False,
            conv_cfg=self.conv_cfg,
            norm_cfg=None,
            act_cfg=None)

        self.fusion = GFFOfficialNeck(
            in_channels[:-1] + [context_channels],
            out_channels=channels_fused,
            align_corners=self.align_corners,
            **cfg)

        self.dfp_convs = nn.ModuleList()
        for k, d in enumerate(dfp_dilations):
            self.dfp_convs.append(
                nn.Sequential(
                    preact_conv((k + 1) * channels_fused, channels_fused, 1,
                                **cfg),
                    preact_conv(
                        channels_fused,
                        channels_fused,
                        3,
                        padding=d,
                        dilation=d,
                        **cfg)))

        cat = (num_levels + 1) * channels_fused
        self.fpn_bottleneck = nn.Sequential(
            ConvModule(cat, self.channels, 3, padding=1, **cfg),
            ConvModule(self.channels, self.channels, 3, padding=1, **cfg))

    def _up(self, x: Tensor, ref: Tensor) -> Tensor:
        if x.shape[2:] == ref.shape[2:]:
            return x
        return resize(
            x,
            size=ref.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)

    def _forward_feature(self, inputs: Sequence[Tensor]) -> Tensor:
        """Features before the classifier, at the finest level's size."""
        inputs = self._transform_inputs(inputs)
        for i, (x, c) in enumerate(zip(inputs, self.in_channels)):
            if x.size(1) != c:
                raise ValueError(f'GFFOfficialHead input {i}: expected {c} '
                                 f'channels, got {tuple(x.shape)}')
        x = inputs[-1]
        aspp = [
            resize(
                self.image_pool(x),
                size=x.shape[2:],
                mode='bilinear',
                align_corners=self.align_corners)
        ] + self.aspp_modules(x)
        y0 = self.bottleneck(torch.cat(aspp, dim=1))

        *fused, reduced_y0 = self.fusion(list(inputs[:-1]) + [y0])
        ref = fused[0]
        pyramid = []
        for conv, f in zip(self.dfp_convs, fused[::-1]):
            pyramid.append(conv(torch.cat(pyramid + [self._up(f, ref)], 1)))
        feats = [self._up(reduced_y0, ref)] + pyramid
        return self.fpn_bottleneck(torch.cat(feats, dim=1))

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        """Segmentation logits at the finest level's resolution."""
        return self.cls_seg(self._forward_feature(inputs))
