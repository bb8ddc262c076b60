# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional, Tuple

import torch
from mmseg.models.decode_heads import DepthwiseSeparableASPPHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor

from ..layers.scale_attention import ScaleAttentionHead
from ..utils import HeadInputsMixin


@MODELS.register_module()
class MscaleSepASPPHead(HeadInputsMixin, DepthwiseSeparableASPPHead):
    """DeepLabV3+ head that also predicts a scale attention map.

    The DeepLabV3+ (ResNet-50) network of Table 3 of hierarchical multi-scale
    attention (Tao et al.): mmseg's :class:`DepthwiseSeparableASPPHead` plus a
    :class:`ScaleAttentionHead` on the decoder's stride-4 feature, the
    concatenation of the upsampled ASPP output and the reduced low-level
    feature (the authors' ``MscaleV3Plus`` feeds its attention head that
    concatenation). ``attn_in='decoder'`` uses the output of the two
    separable 3x3 convs instead (``channels`` wide, cheaper).

    Args:
        scale_attn (dict): Keyword arguments of :class:`ScaleAttentionHead`
            besides ``in_channels``; ``norm_cfg`` defaults to the head's.
            Default: dict().
        attn_in (str): 'concat' or 'decoder', see above. Default: 'concat'.
        **kwargs: Arguments of
            :class:`mmseg.models.decode_heads.DepthwiseSeparableASPPHead`.
    """

    def __init__(self,
                 scale_attn: Optional[dict] = None,
                 attn_in: str = 'concat',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if attn_in not in ('concat', 'decoder'):
            raise ValueError(
                f"attn_in must be 'concat' or 'decoder', got {attn_in!r}")
        self.attn_in = attn_in
        c1 = self.c1_bottleneck.conv.out_channels \
            if self.c1_bottleneck is not None else 0
        in_ch = self.channels + c1 if attn_in == 'concat' else self.channels
        attn_cfg = dict(scale_attn or {})
        attn_cfg.pop('type', None)
        attn_cfg.setdefault('norm_cfg', self.norm_cfg)
        attn_cfg.setdefault('conv_cfg', self.conv_cfg)
        self.scale_attn = ScaleAttentionHead(in_channels=in_ch, **attn_cfg)

    def forward_with_attention(self,
                               inputs: List[Tensor],
                               return_feats: bool = False
                               ) -> Tuple[Tensor, Tensor]:
        """Return ``(logits, attention)``, or ``(logits, attention input
        feature)`` with ``return_feats``."""
        x = self._transform_inputs(inputs)
        aspp_outs = [
            resize(
                self.image_pool(x),
                size=x.size()[2:],
                mode='bilinear',
                align_corners=self.align_corners)
        ]
        aspp_outs.extend(self.aspp_modules(x))
        output = self.bottleneck(torch.cat(aspp_outs, dim=1))
        if self.c1_bottleneck is not None:
            c1_output = self.c1_bottleneck(inputs[0])
            output = resize(
                input=output,
                size=c1_output.shape[2:],
                mode='bilinear',
                align_corners=self.align_corners)
            output = torch.cat([output, c1_output], dim=1)
        concat = output
        output = self.sep_bottleneck(output)
        logits = self.cls_seg(output)
        feats = concat if self.attn_in == 'concat' else output
        if return_feats:
            return logits, feats
        return logits, self.scale_attn(feats)
