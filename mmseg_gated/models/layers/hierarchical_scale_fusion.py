# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Sequence

import torch.nn as nn
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class HierarchicalScaleFusion(nn.Module):
    """The hierarchical chain of multi-scale attention (no parameters).

    Tao et al., "Hierarchical Multi-Scale Attention for Semantic
    Segmentation", Fig. 4: every scale ``s`` gives logits ``p_s`` and a
    relative attention ``a_s`` (its :class:`ScaleAttentionHead` with
    ``num_scales=1``). From the highest scale down,

    - ``pred = p_max``;
    - for ``s >= 1``: ``pred = a_s * p_s + (1 - a_s) * down(pred)``;
    - for ``s < 1``: ``pred = up(a_s * p_s) + (1 - up(a_s)) * pred``
      (multiply before upsampling).

    With the training pair (0.5, 1.0) this is the paper's joint output
    ``up(a_0.5 * p_0.5) + (1 - up(a_0.5)) * p_1.0``. The attention of the
    highest scale is not used. ``up``/``down`` are bilinear resizes to the
    other operand's size.

    Args:
        align_corners (bool): ``align_corners`` of those resizes (the
            segmentor passes its decode head's). Default: False.
    """

    takes_features = False  # the heads give attention maps, not features

    def __init__(self, align_corners: bool = False) -> None:
        super().__init__()
        self.align_corners = align_corners

    def check(self, head: nn.Module, train_scales: Sequence[float],
              test_scales: Sequence[float]) -> None:
        """Raise if ``head`` (the attention-predicting decode head) cannot
        drive this fusion; any scales containing 1.0 are fine."""
        attn = getattr(head, 'scale_attn', None)
        if not hasattr(head, 'forward_with_attention') or attn is None:
            raise TypeError(
                'HierarchicalScaleFusion needs a decode head with '
                'forward_with_attention and a scale_attn (e.g. HMSAOCRHead, '
                f'HMSASepASPPHead), got {type(head).__name__}')
        if attn.num_scales != 1:
            raise ValueError(
                'HierarchicalScaleFusion needs the relative attention of one '
                'scale: the head\'s scale_attn.num_scales must be 1, got '
                f'{attn.num_scales}')

    def _resize(self, x: Tensor, size) -> Tensor:
        if tuple(x.shape[2:]) == tuple(size):
            return x
        return resize(
            x,
            size=tuple(size),
            mode='bilinear',
            align_corners=self.align_corners)

    def chain(self, scales: Sequence[float], preds: List[Tensor],
              attns: List[Tensor]) -> Tensor:
        """Combine one output (e.g. the logits) over the scales.

        Args:
            scales: The scale of each prediction (any order).
            preds: ``B x C x h_s x w_s`` per scale.
            attns: ``B x 1 x h'_s x w'_s`` per scale (resized to its
                prediction's size where they differ).

        Returns:
            Tensor: At the size of the lowest scale >= 1 (the 1.0 scale's
            when the scales contain 1.0).
        """
        order = sorted(range(len(scales)), key=lambda i: -scales[i])
        out = preds[order[0]]
        for i in order[1:]:
            p = preds[i]
            a = self._resize(attns[i], p.shape[2:])
            if scales[i] >= 1.0:
                out = a * p + (1 - a) * self._resize(out, p.shape[2:])
            else:
                size = out.shape[2:]
                out = self._resize(a * p, size) + \
                    (1 - self._resize(a, size)) * out
        return out

    def forward(self, scales: Sequence[float], streams: List[List[Tensor]],
                attns: List[Tensor]) -> List[Tensor]:
        """Combine several outputs with the same attention.

        Args:
            scales: The scales, in the order of the lists below.
            streams: One list per output (segmentation logits, the
                soft-region logits of a cascade, auxiliary logits), each
                with one tensor per scale.
            attns: The attention ``a_s`` of each scale.

        Returns:
            list[Tensor]: The joint tensor of each output.
        """
        if len(attns) != len(scales) or any(
                len(s) != len(scales) for s in streams):
            raise ValueError(
                f'HierarchicalScaleFusion got {len(scales)} scales but '
                f'{len(attns)} attention maps and stream lengths '
                f'{[len(s) for s in streams]}')
        return [self.chain(scales, preds, attns) for preds in streams]
