# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.decode_heads.psp_head import PPM
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor

from ..necks.gff_neck import GFFNeck
from ..utils import HeadInputsMixin
from .dense_aspp_head import DenseASPPModule, preact_conv

CONTEXTS = ('ppm', 'denseaspp')


@MODELS.register_module()
class GFFHead(HeadInputsMixin, BaseDecodeHead):
    """Gated Fully Fusion head with Dense Feature Pyramid (GFFNet).

    Li et al., "Gated Fully Fusion for Semantic Segmentation", AAAI 2020,
    Fig. 3:

    1. a context module on the deepest input (``'ppm'``: PSPNet's pyramid
       pooling + 3x3 ``bottleneck``; ``'denseaspp'``: DenseASPP + 3x3
       ``bottleneck``, Table 4), giving ``y_0``;
    2. the levels (``level_index`` of the inputs, plus ``y_0`` if
       ``context_as_level``) fused by :class:`GFFNeck` through its forward
       (Eq. 5, or a Table 1 baseline with ``fusion``);
    3. ``num_refine_convs`` 3x3 ConvModules per fused level;
    4. all maps resized to the finest level; the Dense Feature Pyramid
       (Eq. 6), top-down: ``y_l = H_l([y_0, y_L, ..., y_{l+1}, X~_l])``,
       or no DFP (``dfp=False``, the "+GFF" row: ``y_l = X~_l``);
    5. ``[y_0, y_L, ..., y_1]`` concatenated ("all feature maps are
       concatenated for final semantic segmentation") and the 1x1
       classifier, after ``num_bottleneck_convs`` 3x3 ConvModules
       (``fpn_bottleneck``; none in the paper).

    Args:
        in_channels (Sequence[int]): Channels of the selected inputs
            (``in_index``), shallow to deep; the last one feeds the context
            module.
        channels (int): Width of the ``fpn_bottleneck`` convs (unused when
            ``num_bottleneck_convs=0``).
        context (str): ``'ppm'`` or ``'denseaspp'``. Default: 'ppm'.
        context_channels (int): Width of ``y_0``. Default: 512.
        pool_scales (Sequence[int]): PPM scales. Default: (1, 2, 3, 6).
        dilations (Sequence[int]): DenseASPP dilations.
            Default: (3, 6, 12, 18, 24).
        denseaspp_channels (tuple[int, int]): DenseASPP (mid, growth)
            channels. Default: (128, 64).
        level_index (Sequence[int], optional): Indices into the selected
            inputs used as fusion levels. Default: None (all).
        context_as_level (bool): Add ``y_0`` as the deepest fusion level
            (the FPN rows of Table 1 "fuse 5 feature maps"). Default: False.
        fusion_cfg (dict): :class:`GFFNeck` arguments (``out_channels``,
            ``fusion``, ``gate_cfg``). Default:
            dict(out_channels=256, fusion='gff').
        num_refine_convs (int): 3x3 ConvModules per fused level (the paper:
            two). Default: 2.
        dfp (bool): Use the Dense Feature Pyramid. Default: True.
        dfp_block (str): ``H_l``: ``'conv'`` (one 3x3 ConvModule, the
            paper's "single convolution layer") or ``'dense'`` (the authors'
            code: BN-ReLU-1x1 conv, BN-ReLU-3x3 conv). Default: 'conv'.
        dfp_channels (int): Output width of each ``H_l``. Default: 256.
        num_bottleneck_convs (int): 3x3 ConvModules between the concat and
            the classifier; 0 (the paper) puts the 1x1 classifier directly
            on the concat. Default: 0.
        **kwargs: :class:`BaseDecodeHead` arguments.

    Module names follow mmseg's heads, so that a trained mmseg PSPNet
    (``PSPHead``: ``psp_modules``, ``bottleneck``, ``conv_seg``) checkpoint
    fills the context module through ``load_from`` (GFF Table 1 initialises
    every fusion model from the trained PSPNet); the convs after the final
    concat are ``fpn_bottleneck``, as in ``UPerHead``.

    The Table 3 configs (``configs/gff``) use ``dfp_block='dense'`` with
    ``dfp_channels=128`` (the authors' DFP block: +1.08M parameters on
    PSPNet-R101 + GFF, the paper prints +0.8M; a 256-wide 3x3 conv per
    level would add ~10M). The authors' DeepLabV3+ / WiderResNet-38 layout
    is :class:`GFFOfficialHead`.
    """

    def __init__(self,
                 context: str = 'ppm',
                 context_channels: int = 512,
                 pool_scales: Sequence[int] = (1, 2, 3, 6),
                 dilations: Sequence[int] = (3, 6, 12, 18, 24),
                 denseaspp_channels: Sequence[int] = (128, 64),
                 level_index: Optional[Sequence[int]] = None,
                 context_as_level: bool = False,
                 fusion_cfg: dict = dict(out_channels=256, fusion='gff'),
                 num_refine_convs: int = 2,
                 dfp: bool = True,
                 dfp_block: str = 'conv',
                 dfp_channels: int = 256,
                 num_bottleneck_convs: int = 0,
                 **kwargs) -> None:
        kwargs.setdefault('input_transform', 'multiple_select')
        super().__init__(**kwargs)
        if self.input_transform != 'multiple_select':
            raise ValueError(
                "GFFHead needs input_transform='multiple_select', got "
                f'{self.input_transform!r}')
        if context not in CONTEXTS:
            raise ValueError(f'context must be one of {CONTEXTS}, got '
                             f'{context!r}')
        if dfp_block not in ('conv', 'dense'):
            raise ValueError("dfp_block must be 'conv' or 'dense', got "
                             f'{dfp_block!r}')
        in_channels = list(self.in_channels)
        self.level_index = list(range(len(in_channels))) \
            if level_index is None else list(level_index)
        if any(not 0 <= i < len(in_channels) for i in self.level_index):
            raise ValueError(f'level_index {self.level_index} out of range '
                             f'for {len(in_channels)} inputs')
        self.context = context
        self.context_as_level = context_as_level
        self.dfp = dfp
        cfg = dict(
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)

        # 1. context module -> y_0 (names of mmseg's PSPHead, so that its
        # checkpoints fill it: Table 1 warm start)
        ctx_in = in_channels[-1]
        if context == 'ppm':
            self.psp_modules = PPM(
                pool_scales,
                ctx_in,
                context_channels,
                align_corners=self.align_corners,
                **cfg)
            cat_ch = ctx_in + len(pool_scales) * context_channels
        else:
            self.dense_aspp = DenseASPPModule(
                ctx_in,
                denseaspp_channels[0],
                denseaspp_channels[1],
                dilations=dilations,
                **cfg)
            cat_ch = self.dense_aspp.out_channels
        self.bottleneck = ConvModule(
            cat_ch, context_channels, 3, padding=1, **cfg)

        # 2. fusion of the levels
        level_channels = [in_channels[i] for i in self.level_index]
        if context_as_level:
            level_channels.append(context_channels)
        fusion_cfg = dict(fusion_cfg)
        for key in ('norm_cfg', 'act_cfg', 'conv_cfg', 'align_corners'):
            fusion_cfg.setdefault(key, getattr(self, key))
        self.fusion = GFFNeck(level_channels, **fusion_cfg)
        fused_channels = self.fusion.out_channels

        # 3. refinement convs per fused level
        self.refine_convs = nn.ModuleList()
        for c in fused_channels:
            self.refine_convs.append(
                nn.Sequential(*[
                    ConvModule(
                        c if j == 0 else self.fusion.channels,
                        self.fusion.channels,
                        3,
                        padding=1,
                        **cfg) for j in range(num_refine_convs)
                ]))
        if num_refine_convs > 0:
            fused_channels = [self.fusion.channels] * len(fused_channels)

        # 4. Dense Feature Pyramid, deepest level first
        if dfp:
            self.dfp_convs = nn.ModuleList()
            prev = 0
            for c in fused_channels[::-1]:
                cin = context_channels + prev + c
                if dfp_block == 'conv':
                    block = ConvModule(cin, dfp_channels, 3, padding=1, **cfg)
                else:
                    block = nn.Sequential(
                        preact_conv(cin, dfp_channels, 1, **cfg),
                        preact_conv(
                            dfp_channels, dfp_channels, 3, padding=1, **cfg))
                self.dfp_convs.append(block)
                prev += dfp_channels
            pyramid_ch = dfp_channels * len(fused_channels)
        else:
            pyramid_ch = sum(fused_channels)

        # 5. concat [y_0, y_L, ..., y_1] (+ bottleneck) and the classifier
        cat = context_channels + pyramid_ch
        self.pyramid_channels = cat
        # named as UPerHead's convs on its concatenated pyramid
        self.fpn_bottleneck = nn.Sequential(*[
            ConvModule(
                cat if j == 0 else self.channels,
                self.channels,
                3,
                padding=1,
                **cfg) for j in range(num_bottleneck_convs)
        ])
        if num_bottleneck_convs == 0:
            self.conv_seg = nn.Conv2d(cat, self.out_channels, 1)

    def _context(self, x: Tensor) -> Tensor:
        """``y_0``: the context module on the deepest input."""
        if self.context == 'ppm':
            outs = [x] + self.psp_modules(x)
        else:
            outs = [self.dense_aspp(x)]
        return self.bottleneck(torch.cat(outs, dim=1))

    def _up(self, x: Tensor, ref: Tensor) -> Tensor:
        if x.shape[2:] == ref.shape[2:]:
            return x
        return resize(
            x,
            size=ref.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)

    def _pyramid(self, y0: Tensor, fused: List[Tensor]) -> List[Tensor]:
        """``[y_L, ..., y_1]`` (Eq. 6; the fused levels without DFP)."""
        if not self.dfp:
            return fused[::-1]
        pyramid = []
        for conv, x in zip(self.dfp_convs, fused[::-1]):
            pyramid.append(conv(torch.cat([y0] + pyramid + [x], dim=1)))
        return pyramid

    def _forward_feature(self, inputs: Sequence[Tensor]) -> Tensor:
        """Features before the classifier, at the finest level's size."""
        inputs = self._transform_inputs(inputs)
        for i, (x, c) in enumerate(zip(inputs, self.in_channels)):
            if x.size(1) != c:
                raise ValueError(f'GFFHead input {i}: expected {c} channels,'
                                 f' got {tuple(x.shape)}')
        y0 = self._context(inputs[-1])
        levels = [inputs[i] for i in self.level_index]
        if self.context_as_level:
            levels.append(y0)
        fused = self.fusion(levels)
        fused = [conv(f) for conv, f in zip(self.refine_convs, fused)]
        ref = fused[0]
        fused = [self._up(f, ref) for f in fused]
        y0 = self._up(y0, ref)
        pyramid = self._pyramid(y0, fused)
        return self.fpn_bottleneck(torch.cat([y0] + pyramid, dim=1))

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        """Segmentation logits at the finest level's resolution."""
        return self.cls_seg(self._forward_feature(inputs))
