# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional, Tuple

from mmseg.models.decode_heads import DepthwiseSeparableASPPHead
from mmseg.registry import MODELS
from torch import Tensor

from ..layers.scale_attention import ScaleAttentionHead
from ..utils import HeadInputsMixin
from ..utils.sep_aspp_decoder import SepASPPDecoderMixin


@MODELS.register_module()
class HMSASepASPPHead(HeadInputsMixin, SepASPPDecoderMixin,
                      DepthwiseSeparableASPPHead):
    """DeepLabV3+ head that also predicts a scale attention map.

    The DeepLabV3+ (ResNet-50) network of Table 3 of hierarchical multi-scale
    attention (Tao et al.): mmseg's :class:`DepthwiseSeparableASPPHead` plus a
    :class:`ScaleAttentionHead` on the decoder's stride-4 feature, the
    concatenation of the upsampled ASPP output and the reduced low-level
    feature (the authors' ``MscaleV3Plus`` feeds its attention head that
    concatenation; ``channels + c1_channels`` wide).

    ``forward`` is mmseg's (logits only); the multi-scale attention
    segmentors call :meth:`forward_with_attention`.

    Args:
        scale_attn (dict, optional): Keyword arguments of
            :class:`ScaleAttentionHead` besides ``in_channels``;
            ``norm_cfg``/``conv_cfg`` default to the head's. None builds no
            attention (for :class:`ExplicitScaleFusion`, which brings its
            own over all scales' features). Default: dict().
        **kwargs: Arguments of
            :class:`mmseg.models.decode_heads.DepthwiseSeparableASPPHead`.
    """

    def __init__(self, scale_attn: Optional[dict] = dict(), **kwargs) -> None:
        super().__init__(**kwargs)
        c1 = self.c1_bottleneck.conv.out_channels \
            if self.c1_bottleneck is not None else 0
        self.attn_in_channels = self.channels + c1
        if scale_attn is None:
            self.scale_attn = None
            return
        attn_cfg = dict(scale_attn)
        attn_cfg.pop('type', None)
        attn_cfg.setdefault('norm_cfg', self.norm_cfg)
        attn_cfg.setdefault('conv_cfg', self.conv_cfg)
        self.scale_attn = ScaleAttentionHead(
            in_channels=self.attn_in_channels, **attn_cfg)

    def forward_with_attention(
            self,
            inputs: List[Tensor],
            return_feats: bool = False) -> Tuple[Tensor, Tensor]:
        """Return ``(logits, attention)``; with ``return_feats`` the second
        item is the attention's input feature (the stride-4 concatenation)
        instead."""
        concat = self.decoder_concat(inputs)
        logits = self.cls_seg(self.sep_bottleneck(concat))
        if return_feats:
            return logits, concat
        if self.scale_attn is None:
            raise ValueError('HMSASepASPPHead was built with '
                             'scale_attn=None: it gives features only '
                             '(return_feats=True)')
        return logits, self.scale_attn(concat)
