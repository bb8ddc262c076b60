# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Tuple

from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import SampleList, add_prefix
from torch import Tensor

from .hmsa_mixin import HMSAMixin


@MODELS.register_module()
class HMSAEncoderDecoder(HMSAMixin, EncoderDecoder):
    """:class:`EncoderDecoder` with multi-scale attention (one decode head).

    The DeepLabV3+ models of Table 3 of hierarchical multi-scale attention
    (Tao et al.): the decode head (:class:`HMSASepASPPHead`) returns
    logits and an attention per scale, combined by ``scale_fusion``; see
    :class:`HMSAMixin` for training and inference. The
    modules and their names are :class:`EncoderDecoder`'s plus the head's
    ``scale_attn`` (and the fusion's parameters, if any), so an
    ``EncoderDecoder`` checkpoint of the same network warm-starts it.

    Args:
        train_scales, test_scales, scale_fusion, scale_loss_weight,
        scale_loss, upsample_to_input: See
            :class:`HMSAMixin`.
        **kwargs: Arguments of :class:`mmseg.models.EncoderDecoder`.
    """

    def _decode_scale(self, x: List[Tensor]) -> Tuple[List[Tensor], Tensor]:
        seg, attn = self.decode_head.forward_with_attention(
            x, return_feats=self.scale_fusion.takes_features)
        return [seg], attn

    def _decode_head_forward_train(self, joint: List[Tensor],
                                   data_samples: SampleList) -> dict:
        """The decode head's loss on its joint logits (``joint[0]``)."""
        return add_prefix(
            self.decode_head.loss_by_feat(joint[0], data_samples), 'decode')
