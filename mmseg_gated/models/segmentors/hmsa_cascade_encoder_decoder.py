# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Tuple

from mmseg.models.segmentors import CascadeEncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import SampleList, add_prefix
from torch import Tensor

from .hmsa_mixin import HMSAMixin


@MODELS.register_module()
class HMSACascadeEncoderDecoder(HMSAMixin, CascadeEncoderDecoder):
    """:class:`CascadeEncoderDecoder` with multi-scale attention.

    The HRNet-OCR model of hierarchical multi-scale attention (Tao et al.,
    Tables 1 and 4): ``decode_head`` is mmseg's cascade (e.g. ``[FCNHead,
    HMSAOCRHead]``, ``num_stages=2``); the last head returns logits and an
    attention per scale, and every stage's logits are combined across the
    scales with that attention ("the same for the OCR aux logits") and
    supervised with the stage's loss (``decode_{i}``); see
    :class:`HMSAMixin`. Module names are
    :class:`CascadeEncoderDecoder`'s plus the last head's ``scale_attn``.

    Args:
        train_scales, test_scales, scale_fusion, scale_loss_weight,
        scale_loss, upsample_to_input: See
            :class:`HMSAMixin`.
        **kwargs: Arguments of :class:`mmseg.models.CascadeEncoderDecoder`
            (``num_stages`` first).
    """

    def _decode_scale(self, x: List[Tensor]) -> Tuple[List[Tensor], Tensor]:
        outs = [self.decode_head[0].forward(x)]
        for i in range(1, self.num_stages - 1):
            outs.append(self.decode_head[i].forward(x, outs[-1]))
        seg, attn = self.decode_head[-1].forward_with_attention(
            x, outs[-1], return_feats=self.scale_fusion.takes_features)
        return outs + [seg], attn

    def _decode_head_forward_train(self, joint: List[Tensor],
                                   data_samples: SampleList) -> dict:
        """Each stage's loss on its joint logits (``joint[i]``)."""
        losses = dict()
        for i, (head, logits) in enumerate(zip(self.decode_head, joint)):
            losses.update(
                add_prefix(
                    head.loss_by_feat(logits, data_samples), f'decode_{i}'))
        return losses
