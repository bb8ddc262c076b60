# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional, Tuple

from mmseg.models.decode_heads import OCRHead
from mmseg.registry import MODELS
from torch import Tensor, nn

from ..layers.scale_attention import ScaleAttentionHead
from ..utils import HeadInputsMixin


@MODELS.register_module()
class HMSAOCRHead(HeadInputsMixin, OCRHead):
    """OCR head that also predicts a scale attention map.

    The HRNet-OCR head of hierarchical multi-scale attention (Tao et al.,
    Table 4, "HRNet-OCR ... and our multi-scale attention method"): mmseg's
    :class:`OCRHead` (cascade stage after an FCN soft-region head) whose
    object-contextual features also feed a :class:`ScaleAttentionHead`, as
    in the authors' ``MscaleOCR`` (attention on the OCR output features).

    ``forward`` returns the logits only, as mmseg's, so the head also works
    in a plain ``CascadeEncoderDecoder``;
    :class:`HMSACascadeEncoderDecoder` calls
    :meth:`forward_with_attention`.

    As the authors' OCR block (``network/ocr_utils.py``,
    ``SpatialOCR_Module.conv_bn_dropout``: 1x1 conv, BN-ReLU,
    ``Dropout2d(0.05)`` as ``network/ocrnet.py`` ``OCR_block`` builds it),
    the object-contextual features pass a channel dropout after the
    block's 1x1 bottleneck, before both the classifier and the attention
    head. It has no parameters (checkpoints are unchanged) and is the
    identity in eval mode.

    Args:
        ocr_dropout_ratio (float): ``Dropout2d`` probability on the
            object-contextual features (the authors' 0.05); 0 adds none.
            Independent of mmseg's ``dropout_ratio`` (dropout before
            ``conv_seg`` only). Default: 0.05.
        scale_attn (dict, optional): Keyword arguments of
            :class:`ScaleAttentionHead` besides ``in_channels`` (taken from
            ``channels``), e.g. ``dict(channels=256, num_convs=2)``;
            ``norm_cfg``/``conv_cfg`` default to the head's. None builds no
            attention (the features then go to an
            :class:`ExplicitScaleFusion`). Default: dict().
        **kwargs: Arguments of :class:`mmseg.models.decode_heads.OCRHead`
            (``ocr_channels``, ``channels``, ``num_classes``, ...).
    """

    def __init__(self,
                 scale_attn: Optional[dict] = dict(),
                 ocr_dropout_ratio: float = 0.05,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= ocr_dropout_ratio < 1.0:
            raise ValueError('ocr_dropout_ratio must be in [0, 1), got '
                             f'{ocr_dropout_ratio}')
        self.ocr_dropout = nn.Dropout2d(ocr_dropout_ratio) \
            if ocr_dropout_ratio > 0 else None
        self.attn_in_channels = self.channels
        if scale_attn is None:
            self.scale_attn = None
            return
        attn_cfg = dict(scale_attn)
        attn_cfg.pop('type', None)
        attn_cfg.setdefault('norm_cfg', self.norm_cfg)
        attn_cfg.setdefault('conv_cfg', self.conv_cfg)
        self.scale_attn = ScaleAttentionHead(
            in_channels=self.channels, **attn_cfg)

    def object_context(self, inputs: List[Tensor],
                       prev_output: Tensor) -> Tensor:
        """The object-contextual features (after the OCR dropout)."""
        x = self._transform_inputs(inputs)
        feats = self.bottleneck(x)
        context = self.spatial_gather_module(feats, prev_output)
        object_context = self.object_context_block(feats, context)
        if self.ocr_dropout is not None:
            object_context = self.ocr_dropout(object_context)
        return object_context

    def forward(self, inputs: List[Tensor], prev_output: Tensor) -> Tensor:
        """Logits, as mmseg's ``OCRHead.forward``."""
        return self.cls_seg(self.object_context(inputs, prev_output))

    def forward_with_attention(
            self,
            inputs: List[Tensor],
            prev_output: Tensor,
            return_feats: bool = False) -> Tuple[Tensor, Tensor]:
        """Return ``(logits, attention)``; with ``return_feats`` the second
        item is the attention head's input feature instead (the segmentor
        concatenates several scales' features for explicit attention)."""
        object_context = self.object_context(inputs, prev_output)
        logits = self.cls_seg(object_context)
        if return_feats:
            return logits, object_context
        if self.scale_attn is None:
            raise ValueError('HMSAOCRHead was built with scale_attn=None: '
                             'it gives features only (return_feats=True)')
        return logits, self.scale_attn(object_context)
