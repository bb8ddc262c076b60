# Copyright (c) mmseg_gated contributors. All rights reserved.
import copy

from mmseg.models.decode_heads import DepthwiseSeparableASPPHead
from mmseg.registry import MODELS

from ..utils import HeadInputsMixin
from ..utils.sep_aspp_decoder import SepASPPDecoderMixin


@MODELS.register_module()
class DDSMSepASPPHead(HeadInputsMixin, SepASPPDecoderMixin,
                      DepthwiseSeparableASPPHead):
    """DeepLabV3+ head with one DDSM from the ASPP output to the stride-4
    feature (DDSM paper, Sec. 2.2; Table 1 right).

    mmseg's :class:`DepthwiseSeparableASPPHead` concatenates ``up(aspp(x_5))``
    with ``c1 = c1_bottleneck(x_2)``; here ``c1`` is replaced by
    ``x~_2 = fusion(c1, aspp(x_5))`` (a :class:`DDSM`, or
    :class:`DCNFusion` for the "+DCN" row), so the rest of the decoder is
    unchanged. The fusion works at ``c1_channels`` (x_l is ``c1``, x_h is
    reduced from ``channels`` to ``c1_channels`` by the module's 1x1 conv).

    Args:
        fusion_cfg (dict): Config of the fusion module, built with
            ``low_channels = channels = c1_channels``,
            ``high_channels = self.channels`` and this head's
            ``conv_cfg/norm_cfg/act_cfg/align_corners`` unless given.
            Default: ``dict(type='DDSM')``.
        **kwargs: :class:`DepthwiseSeparableASPPHead` arguments
            (``c1_in_channels`` must be > 0).
    """

    def __init__(self, fusion_cfg: dict = dict(type='DDSM'), **kwargs):
        super().__init__(**kwargs)
        if self.c1_bottleneck is None:
            raise ValueError('DDSMSepASPPHead needs the stride-4 decoder '
                             'branch: c1_in_channels must be > 0, got 0')
        if not isinstance(fusion_cfg, dict) or 'type' not in fusion_cfg:
            raise TypeError(
                f'fusion_cfg must be a dict with a type, got {fusion_cfg!r}')
        c1_channels = kwargs['c1_channels']
        cfg = copy.deepcopy(fusion_cfg)
        cfg.setdefault('low_channels', c1_channels)
        cfg.setdefault('high_channels', self.channels)
        cfg.setdefault('channels', c1_channels)
        cfg.setdefault('conv_cfg', self.conv_cfg)
        cfg.setdefault('norm_cfg', self.norm_cfg)
        cfg.setdefault('act_cfg', self.act_cfg)
        cfg.setdefault('align_corners', self.align_corners)
        if cfg['channels'] != c1_channels:
            raise ValueError('fusion_cfg.channels must equal c1_channels '
                             f'({c1_channels}), got {cfg["channels"]}')
        self.fusion = MODELS.build(cfg)

    def fuse_fine(self, fine, aspp_out):
        """``x~_2 = fusion(c1, aspp(x_5))`` in place of ``c1``."""
        return self.fusion(fine, aspp_out)

    def forward(self, inputs):
        """DeepLabV3+ decoder (:class:`SepASPPDecoderMixin`) with the fused
        fine feature; checks the input widths first."""
        x = self._transform_inputs(inputs)
        if x.dim() != 4 or x.size(1) != self.in_channels:
            raise ValueError(
                f'DDSMSepASPPHead in_channels is {self.in_channels}, but its '
                f'input (backbone output in_index = {self.in_index}) is '
                f'{tuple(x.shape)}: set in_channels to the backbone\'s '
                'output channels')
        c1_in = self.c1_bottleneck.conv.in_channels
        fine = inputs[self.c1_in_index]
        if fine.dim() != 4 or fine.size(1) != c1_in:
            raise ValueError(
                f'DDSMSepASPPHead c1_in_channels is {c1_in}, but backbone '
                f'output {self.c1_in_index} is {tuple(fine.shape)}: set '
                'c1_in_channels to its channels')
        return super().forward(inputs)
