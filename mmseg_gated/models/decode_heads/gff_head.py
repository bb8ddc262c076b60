# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from torch import Tensor

from mmseg.models.decode_heads.aspp_head import ASPPModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.decode_heads.psp_head import PPM
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from ..necks.gff_neck import GFFNeck
from ..utils import HeadInputsMixin
from .dense_aspp_head import DenseASPPModule, preact_conv

CONTEXTS = ('ppm', 'aspp', 'denseaspp', None)


@MODELS.register_module()
class GFFHead(HeadInputsMixin, BaseDecodeHead):
    """Gated Fully Fusion head with Dense Feature Pyramid (GFFNet).

    Li et al., "Gated Fully Fusion for Semantic Segmentation", AAAI 2020,
    Fig. 3:

    1. a context module on the deepest input (``'ppm'``: PSPNet's pyramid
       pooling + 3x3 ``bottleneck``; ``'aspp'``: DeepLabV3's ASPP + image
       pooling + 3x3 ``bottleneck``; ``'denseaspp'``: DenseASPP + 3x3
       ``bottleneck``), giving ``y_0``;
    2. the levels (``level_index`` of the inputs, plus ``y_0`` if
       ``context_as_level``) fused by :class:`GFFNeck` (Eq. 5, or a Table 1
       baseline with ``fusion``);
    3. ``num_refine_convs`` 3x3 ConvModules per fused level;
    4. all maps resized to the finest level; the Dense Feature Pyramid
       (Eq. 6), top-down: ``y_l = H_l([y_0, y_L, ..., y_{l+1}, X~_l])``
       (``y_0`` only if ``dfp_context_input``), or no DFP (``dfp=False``,
       the "+GFF" row: ``y_l = X~_l``);
    5. ``[y_0, y_L, ..., y_1]`` concatenated, ``num_bottleneck_convs``
       ConvModules to ``channels`` (``fpn_bottleneck``) and the 1x1
       classifier.

    Args:
        in_channels (Sequence[int]): Channels of the selected inputs
            (``in_index``), shallow to deep; the last one feeds the context
            module.
        channels (int): Width of the final bottleneck convs.
        context (str | None): ``'ppm'``, ``'aspp'``, ``'denseaspp'`` or None
            (no context: ``y_0`` is absent). Default: 'ppm'.
        context_channels (int): Width of ``y_0``. Default: 512.
        pool_scales (Sequence[int]): PPM scales. Default: (1, 2, 3, 6).
        dilations (Sequence[int]): ASPP dilations (first 1 is the 1x1
            branch) or DenseASPP dilations. Default: (1, 12, 24, 36).
        context_norm (bool): Whether the context bottleneck conv has norm
            and activation (False: plain conv without bias, the authors'
            DeepLabV3+ ``bot_aspp``). Default: True.
        denseaspp_channels (tuple[int, int]): DenseASPP (mid, growth)
            channels. Default: (128, 64).
        level_index (Sequence[int], optional): Indices into the selected
            inputs used as fusion levels. Default: None (all).
        context_as_level (bool): Add ``y_0`` as the deepest fusion level
            (the FPN row "fuses 5 feature maps"; the authors' DeepLabV3+ code
            fuses the ASPP output). Default: False.
        fusion_cfg (dict): :class:`GFFNeck` arguments (``out_channels``,
            ``fusion``, ``gate_channels``, ``order``, ``gate_cfg``).
            Default: dict(out_channels=256, fusion='gff').
        num_refine_convs (int): 3x3 ConvModules per fused level. Default: 2.
        dfp (bool): Use the Dense Feature Pyramid. Default: True.
        dfp_block (str): ``'conv'`` (one 3x3 ConvModule, the paper's "single
            convolution layer") or ``'dense'`` (the authors' code:
            BN-ReLU-1x1 conv, BN-ReLU-3x3 dilated conv). Default: 'conv'.
        dfp_channels (int): Output width of each ``H_l``. Default: 256.
        dfp_dilations (Sequence[int], optional): Dilation of each ``H_l``,
            deepest first. Default: None (all 1).
        dfp_context_input (bool): Feed ``y_0`` into every ``H_l`` (Eq. 6).
            Default: True.
        concat_context (str | None): What of the context joins the final
            concat: ``'context'`` (``y_0``), ``'reduced'`` (the 1x1-reduced
            context level before fusion, the authors' code) or None.
            Default: 'context'.
        num_bottleneck_convs (int): ConvModules after the concat; 0 puts
            the 1x1 classifier directly on the concat (``channels`` is then
            unused). Default: 1.
        bottleneck_kernel_size (int): Their kernel size. Default: 3.
        **kwargs: :class:`BaseDecodeHead` arguments.

    Module names follow mmseg's heads, so that a trained mmseg PSPNet
    (``PSPHead``: ``psp_modules``, ``bottleneck``, ``conv_seg``) or DeepLabV3
    (``ASPPHead``: ``image_pool``, ``aspp_modules``, ``bottleneck``)
    checkpoint fills the context module through ``load_from`` (GFF Table 1
    initialises every fusion model from the trained PSPNet); the convs after
    the final concat are ``fpn_bottleneck``, as in ``UPerHead``.

    The Table 3 configs (``configs/gff``) use ``dfp_block='dense'`` with
    ``dfp_channels=128`` (the authors' DFP block: +1.08M parameters on
    PSPNet-R101 + GFF, the paper prints +0.8M; a 256-wide 3x3 conv per
    level would add ~10M) and ``num_bottleneck_convs=0``.
    """

    def __init__(self,
                 context: Optional[str] = 'ppm',
                 context_channels: int = 512,
                 pool_scales: Sequence[int] = (1, 2, 3, 6),
                 dilations: Sequence[int] = (1, 12, 24, 36),
                 context_norm: bool = True,
                 denseaspp_channels: Sequence[int] = (128, 64),
                 level_index: Optional[Sequence[int]] = None,
                 context_as_level: bool = False,
                 fusion_cfg: dict = dict(out_channels=256, fusion='gff'),
                 num_refine_convs: int = 2,
                 dfp: bool = True,
                 dfp_block: str = 'conv',
                 dfp_channels: int = 256,
                 dfp_dilations: Optional[Sequence[int]] = None,
                 dfp_context_input: bool = True,
                 concat_context: Optional[str] = 'context',
                 num_bottleneck_convs: int = 1,
                 bottleneck_kernel_size: int = 3,
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
        if concat_context not in ('context', 'reduced', None):
            raise ValueError("concat_context must be 'context', 'reduced' or "
                             f'None, got {concat_context!r}')
        if context is None and (context_as_level or dfp_context_input
                                or concat_context is not None):
            raise ValueError('context=None needs context_as_level=False, '
                             'dfp_context_input=False and concat_context=None')
        if concat_context == 'reduced' and not context_as_level:
            raise ValueError("concat_context='reduced' needs "
                             'context_as_level=True')
        in_channels = list(self.in_channels)
        self.level_index = list(range(len(in_channels))) \
            if level_index is None else list(level_index)
        if any(not 0 <= i < len(in_channels) for i in self.level_index):
            raise ValueError(f'level_index {self.level_index} out of range '
                             f'for {len(in_channels)} inputs')
        self.context = context
        self.context_as_level = context_as_level
        self.dfp = dfp
        self.dfp_context_input = dfp_context_input
        self.concat_context = concat_context
        cfg = dict(
            conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)

        # 1. context module -> y_0
        ctx_in = in_channels[-1]
        if context == 'ppm':
            self.psp_modules = PPM(
                pool_scales, ctx_in, context_channels,
                align_corners=self.align_corners, **cfg)
            cat_ch = ctx_in + len(pool_scales) * context_channels
        elif context == 'aspp':
            self.image_pool = nn.Sequential(
                nn.AdaptiveAvgPool2d(1),
                ConvModule(ctx_in, context_channels, 1, **cfg))
            self.aspp_modules = ASPPModule(dilations, ctx_in,
                                           context_channels, **cfg)
            cat_ch = (len(dilations) + 1) * context_channels
        elif context == 'denseaspp':
            self.dense_aspp = DenseASPPModule(
                ctx_in, denseaspp_channels[0], denseaspp_channels[1],
                dilations=dilations, **cfg)
            cat_ch = self.dense_aspp.out_channels
        if context is not None:
            # named as in mmseg's PSPHead / ASPPHead, so that their
            # checkpoints fill it (Table 1 warm start)
            if context_norm:
                self.bottleneck = ConvModule(
                    cat_ch, context_channels, 3, padding=1, **cfg)
            else:
                self.bottleneck = ConvModule(
                    cat_ch, context_channels, 3, padding=1, bias=False,
                    conv_cfg=self.conv_cfg, norm_cfg=None, act_cfg=None)

        # 2. fusion of the levels
        level_channels = [in_channels[i] for i in self.level_index]
        if context_as_level:
            level_channels.append(context_channels)
        fusion_cfg = dict(fusion_cfg)
        fusion_cfg.setdefault('norm_cfg', self.norm_cfg)
        fusion_cfg.setdefault('act_cfg', self.act_cfg)
        fusion_cfg.setdefault('conv_cfg', self.conv_cfg)
        fusion_cfg.setdefault('align_corners', self.align_corners)
        self.fusion = GFFNeck(level_channels, **fusion_cfg)
        fused_channels = self.fusion.out_channels

        # 3. refinement convs per fused level
        self.refine_convs = nn.ModuleList()
        for c in fused_channels:
            convs = []
            for j in range(num_refine_convs):
                convs.append(
                    ConvModule(c if j == 0 else self.fusion.channels,
                               self.fusion.channels, 3, padding=1, **cfg))
            self.refine_convs.append(nn.Sequential(*convs))
        if num_refine_convs > 0:
            fused_channels = [self.fusion.channels] * len(fused_channels)

        # 4. Dense Feature Pyramid, deepest level first
        y0_ch = context_channels if context is not None else 0
        num = len(fused_channels)
        if dfp:
            dils = [1] * num if dfp_dilations is None else list(dfp_dilations)
            if len(dils) != num:
                raise ValueError(f'dfp_dilations needs {num} values, got '
                                 f'{dils}')
            self.dfp_convs = nn.ModuleList()
            prev = 0
            for k, l in enumerate(range(num - 1, -1, -1)):
                cin = (y0_ch if dfp_context_input else 0) + prev + \
                    fused_channels[l]
                if dfp_block == 'conv':
                    block = ConvModule(cin, dfp_channels, 3,
                                       padding=dils[k], dilation=dils[k],
                                       **cfg)
                else:
                    block = nn.Sequential(
                        preact_conv(cin, dfp_channels, 1, **cfg),
                        preact_conv(dfp_channels, dfp_channels, 3,
                                    padding=dils[k], dilation=dils[k],
                                    **cfg))
                self.dfp_convs.append(block)
                prev += dfp_channels
            pyramid_ch = dfp_channels * num
        else:
            pyramid_ch = sum(fused_channels)

        # 5. concat + bottleneck
        if concat_context == 'context':
            cat = y0_ch + pyramid_ch
        elif concat_context == 'reduced':
            cat = self.fusion.channels + pyramid_ch
        else:
            cat = pyramid_ch
        self.pyramid_channels = cat
        fpn_bottleneck = []
        for j in range(num_bottleneck_convs):
            fpn_bottleneck.append(
                ConvModule(cat if j == 0 else self.channels, self.channels,
                           bottleneck_kernel_size,
                           padding=bottleneck_kernel_size // 2, **cfg))
        # named as UPerHead's convs on its concatenated pyramid
        self.fpn_bottleneck = nn.Sequential(*fpn_bottleneck)
        if not fpn_bottleneck:
            # classifier directly on the concatenation (the paper's "all
            # feature maps are concatenated for final semantic segmentation")
            self.conv_seg = nn.Conv2d(cat, self.out_channels, 1)

    @property
    def last_gates(self) -> List[Optional[Tensor]]:
        """Gate maps of the last forward, one per fusion level."""
        return self.fusion.last_gates

    def _context(self, x: Tensor) -> Tensor:
        if self.context == 'ppm':
            outs = [x] + self.psp_modules(x)
        elif self.context == 'aspp':
            outs = [
                resize(self.image_pool(x), size=x.shape[2:], mode='bilinear',
                       align_corners=self.align_corners)
            ] + self.aspp_modules(x)
        else:
            outs = [self.dense_aspp(x)]
        return self.bottleneck(torch.cat(outs, dim=1))

    def _forward_feature(self, inputs: Sequence[Tensor]) -> Tensor:
        """Features before the classifier, ``B x channels x H_1 x W_1``."""
        inputs = self._transform_inputs(inputs)
        for i, (x, c) in enumerate(zip(inputs, self.in_channels)):
            if x.size(1) != c:
                raise ValueError(f'GFFHead input {i}: expected {c} channels,'
                                 f' got {tuple(x.shape)}')
        y0 = self._context(inputs[-1]) if self.context is not None else None
        levels = [inputs[i] for i in self.level_index]
        if self.context_as_level:
            levels.append(y0)
        self.fusion._check_inputs(levels)
        gates = self.fusion.compute_gates(levels) \
            if self.fusion.gates is not None else None
        self.fusion.last_gates = [g.detach() for g in gates] \
            if gates is not None else [None] * len(levels)
        reduced = self.fusion.reduce(levels)
        fused = self.fusion.fuse(reduced, gates)
        fused = [conv(f) for conv, f in zip(self.refine_convs, fused)]

        ref = fused[0]
        fused = [self._up(f, ref) for f in fused]
        if y0 is not None:
            y0 = self._up(y0, ref)
        if self.dfp:
            pyramid = []
            for k, l in enumerate(range(len(fused) - 1, -1, -1)):
                feats = ([y0] if self.dfp_context_input else []) + pyramid + \
                    [fused[l]]
                pyramid.append(self.dfp_convs[k](torch.cat(feats, dim=1)))
        else:
            pyramid = fused[::-1]
        if self.concat_context == 'context':
            pyramid = [y0] + pyramid
        elif self.concat_context == 'reduced':
            pyramid = [self._up(reduced[-1], ref)] + pyramid
        return self.fpn_bottleneck(torch.cat(pyramid, dim=1))

    def _up(self, x: Tensor, ref: Tensor) -> Tensor:
        if x.shape[2:] == ref.shape[2:]:
            return x
        return resize(x, size=ref.shape[2:], mode='bilinear',
                      align_corners=self.align_corners)

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        """Segmentation logits at the finest level's resolution."""
        return self.cls_seg(self._forward_feature(inputs))
