# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor

from .scale_attention import ScaleAttentionHead


@MODELS.register_module()
class ExplicitScaleFusion(BaseModule):
    """Explicit attention over a fixed scale set (Chen et al., "Attention to
    Scale", CVPR 2016), the "Explicit" baseline of Table 3 of hierarchical
    multi-scale attention (Tao et al., Fig. 3).

    Every scale ``s`` gives logits ``p_s`` and the attention feature ``f_s``
    of its decode head (a head built with ``scale_attn=None``). The features
    of all scales, resized to the 1.0 scale's and concatenated in the order
    of ``scales``, go through one attention model (a
    :class:`ScaleAttentionHead` with ``num_scales=len(scales)``) that
    predicts a softmax ``a`` over the scales; then
    ``pred = sum_s a_s * up(p_s)`` at the 1.0 scale's resolution.

    Args:
        in_channels (int): Channels of one scale's attention feature.
        scales (Sequence[float]): The fixed scale set (contains 1.0); the
            segmentor must train and test on exactly these scales.
        channels (int): Width of the attention model's 3x3 convs.
            Default: 256.
        num_convs (int): Number of those convs. Default: 2.
        dropout_ratio (float): Dropout before the last conv. Default: 0.
        conv_cfg (dict, optional): Conv config. Default: None.
        norm_cfg (dict, optional): Norm config. Default: dict(type='BN').
        act_cfg (dict): Activation config. Default: dict(type='ReLU').
        align_corners (bool): ``align_corners`` of the resizes (the
            segmentor passes its decode head's). Default: False.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    takes_features = True  # the heads give attention features

    def __init__(self,
                 in_channels: int,
                 scales: Sequence[float],
                 channels: int = 256,
                 num_convs: int = 2,
                 dropout_ratio: float = 0.,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 align_corners: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        scales = tuple(float(s) for s in scales)
        if len(scales) < 2 or len(set(scales)) != len(scales) or \
                1.0 not in scales:
            raise ValueError('scales must be at least two distinct scales '
                             f'including 1.0, got {scales}')
        self.scales = scales
        self.align_corners = align_corners
        self.attention = ScaleAttentionHead(
            in_channels,
            channels=channels,
            num_convs=num_convs,
            num_scales=len(scales),
            dropout_ratio=dropout_ratio,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)

    def check(self, head: nn.Module, train_scales: Sequence[float],
              test_scales: Sequence[float]) -> None:
        """Raise unless the segmentor trains and tests on ``scales`` and its
        attention-predicting decode head gives features (and has no
        attention of its own, which would get no gradient)."""
        for name, given in (('train_scales', train_scales), ('test_scales',
                                                             test_scales)):
            if sorted(given) != sorted(self.scales):
                raise ValueError(
                    'explicit attention is learned for a fixed scale set: '
                    f'{name} {tuple(given)} must equal the scales '
                    f'{self.scales} of ExplicitScaleFusion')
        if not hasattr(head, 'forward_with_attention'):
            raise TypeError(
                'ExplicitScaleFusion needs a decode head with '
                'forward_with_attention (e.g. HMSASepASPPHead), got '
                f'{type(head).__name__}')
        if getattr(head, 'scale_attn', None) is not None:
            raise ValueError(
                'ExplicitScaleFusion brings its own attention model: build '
                f'the decode head {type(head).__name__} with scale_attn=None')

    def _resize(self, x: Tensor, size) -> Tensor:
        if tuple(x.shape[2:]) == tuple(size):
            return x
        return resize(
            x,
            size=tuple(size),
            mode='bilinear',
            align_corners=self.align_corners)

    def attention_weights(self, scales: Sequence[float],
                          feats: List[Tensor]) -> Tensor:
        """``B x n x h x w`` softmax over the scales (channel ``i`` belongs
        to ``scales[i]``) at the 1.0 scale's feature size."""
        if sorted(scales) != sorted(self.scales):
            raise ValueError(f'ExplicitScaleFusion learned the scales '
                             f'{self.scales}, got {tuple(scales)}')
        ref = feats[list(scales).index(1.0)].shape[2:]
        by_scale = {s: self._resize(f, ref) for s, f in zip(scales, feats)}
        attn = self.attention(
            torch.cat([by_scale[s] for s in self.scales], dim=1))
        return attn[:, [self.scales.index(s) for s in scales]]

    def combine(self, scales: Sequence[float], preds: List[Tensor],
                attn: Tensor) -> Tensor:
        """``sum_s a_s * up(p_s)`` at the 1.0 scale's prediction size."""
        ref = preds[list(scales).index(1.0)].shape[2:]
        attn = self._resize(attn, ref)
        out = 0
        for i, p in enumerate(preds):
            out = out + attn[:, i:i + 1] * self._resize(p, ref)
        return out

    def forward(self, scales: Sequence[float], streams: List[List[Tensor]],
                feats: List[Tensor]) -> List[Tensor]:
        """Combine several outputs (logits, auxiliary logits) with one
        attention computed from ``feats`` (one per scale)."""
        attn = self.attention_weights(scales, feats)
        return [self.combine(scales, preds, attn) for preds in streams]
