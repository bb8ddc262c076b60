# Copyright (c) mmseg_gated contributors. All rights reserved.
import math
from typing import Dict, List, Sequence, Tuple

import torch.nn as nn
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import (ConfigType, OptConfigType, OptSampleList, SampleList,
                         add_prefix)
from torch import Tensor


def check_scales(name: str, scales) -> Tuple[float, ...]:
    """``scales`` as a tuple of floats; ValueError naming ``name`` unless it
    is a non-empty list of distinct positive scales containing 1.0."""
    if not isinstance(scales, (list, tuple)) or len(scales) == 0:
        raise ValueError(f'{name} must be a non-empty list of scales, '
                         f'got {scales!r}')
    scales = tuple(float(s) for s in scales)
    if any(s <= 0 for s in scales):
        raise ValueError(f'{name} must be positive, got {scales}')
    if len(set(scales)) != len(scales):
        raise ValueError(f'{name} has duplicates: {scales}')
    if 1.0 not in scales:
        raise ValueError(
            f'{name} must contain 1.0 (the target scale), got {scales}')
    return scales


class HMSAMixin:
    """Multi-scale attention on top of an mmseg encoder-decoder.

    Tao et al., "Hierarchical Multi-Scale Attention for Semantic
    Segmentation" (Fig. 4). The network runs on rescaled copies of the
    image (scale ``s``: ``floor(s * H) x floor(s * W)``, as the authors'
    ``scale_factor`` interpolation); the attention-predicting decode head
    (the last one) returns logits ``p_s`` and an attention ``a_s``, and
    ``scale_fusion`` combines the scales (:class:`HierarchicalScaleFusion`,
    the paper's chain; :class:`ExplicitScaleFusion`, Table 3 "Explicit").

    The mixin overrides the small hooks of mmseg's segmentor: ``loss``,
    ``encode_decode`` (so ``whole``/``slide`` inference, ``predict`` and
    :class:`SegTTAModel` flips are mmseg's), ``_forward``, and the
    ``_decode_head_forward_train``/``_auxiliary_head_forward_train`` pair,
    which here take the joint (scale-combined) logits of each head and name
    the losses as mmseg does (``decode``, ``decode_{i}``, ``aux``,
    ``aux_{i}``). The segmentor class provides ``_decode_scale`` (its heads
    on one scale's features) and ``_decode_head_forward_train``.

    Training (defaults as the paper): every output (the segmentation, the
    earlier stages of a cascade such as HRNet-OCR's soft-region head, and
    each ``auxiliary_head``) is combined across ``train_scales`` with the
    same attention ("the same for the OCR aux logits") and supervised with
    its head's loss; with several training scales each single-scale
    segmentation ``p_s`` also gets ``scale_loss_weight`` x the loss (0.05,
    the authors' ``SUPERVISED_MSCALE_WT``), prefixed ``scale{s}``.

    Args:
        train_scales (Sequence[float]): Training scales, containing 1.0.
            Default: (0.5, 1.0).
        test_scales (Sequence[float]): Inference scales, containing 1.0.
            ``test_scales=(1.0, )`` computes as the plain mmseg segmentor.
            Default: (0.5, 1.0, 2.0).
        scale_fusion (dict): Config of the scale combination layer; its
            ``align_corners`` defaults to the decode head's.
            Default: ``dict(type='HierarchicalScaleFusion')``.
        scale_loss_weight (float): Weight of the loss on each single-scale
            prediction when training on several scales. Default: 0.05.
        scale_loss (dict, optional): Loss for those single-scale terms;
            None uses the attention head's ``loss_decode``. Default: None.
        upsample_to_input (bool): Resize every scale's logits and attention
            to that scale's input size before combining, as the authors'
            code (``_fwd``) does; False combines at the head's output
            resolution (cheaper; the paper's form). Default: False.
        **kwargs: Arguments of the mmseg segmentor.
    """

    def __init__(self,
                 *args,
                 train_scales: Sequence[float] = (0.5, 1.0),
                 test_scales: Sequence[float] = (0.5, 1.0, 2.0),
                 scale_fusion: ConfigType = dict(
                     type='HierarchicalScaleFusion'),
                 scale_loss_weight: float = 0.05,
                 scale_loss: OptConfigType = None,
                 upsample_to_input: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.train_scales = check_scales('train_scales', train_scales)
        self.test_scales = check_scales('test_scales', test_scales)
        if not isinstance(scale_fusion, dict) or 'type' not in scale_fusion:
            raise TypeError('scale_fusion must be a layer config with a '
                            f'type, got {scale_fusion!r}')
        fusion_cfg = dict(scale_fusion)
        fusion_cfg.setdefault('align_corners', self.align_corners)
        self.scale_fusion = MODELS.build(fusion_cfg)
        self.scale_fusion.check(self.attention_head, self.train_scales,
                                self.test_scales)
        self.upsample_to_input = bool(upsample_to_input)
        self.scale_loss_weight = float(scale_loss_weight)
        self.scale_loss = MODELS.build(scale_loss) \
            if scale_loss is not None else None

    @property
    def attention_head(self) -> nn.Module:
        """The decode head that predicts the attention (the last one)."""
        if isinstance(self.decode_head, nn.ModuleList):
            return self.decode_head[-1]
        return self.decode_head

    def _resize(self, x: Tensor, size) -> Tensor:
        if tuple(x.shape[2:]) == tuple(size):
            return x
        return resize(
            x,
            size=tuple(size),
            mode='bilinear',
            align_corners=self.align_corners)

    def rescale(self, inputs: Tensor, scale: float) -> Tensor:
        """The image at ``scale``: ``floor(h * scale) x floor(w * scale)``
        (at least 1), as the authors' ``scale_factor`` interpolation."""
        if scale == 1.0:
            return inputs
        h, w = inputs.shape[2:]
        size = (max(1, math.floor(h * scale)), max(1, math.floor(w * scale)))
        return self._resize(inputs, size)

    def _decode_scale(self, x: List[Tensor]) -> Tuple[List[Tensor], Tensor]:
        """The decode heads on one scale's features: the logits of every
        decode head (the last one's last) and the attention (or attention
        feature, for a fusion that ``takes_features``)."""
        raise NotImplementedError

    def _forward_scale(self, img: Tensor, with_aux: bool) -> Dict:
        """One rescaled image through the network: ``decode`` (logits per
        decode head), ``attn`` and ``aux`` (logits per auxiliary head)."""
        x = self.extract_feat(img)
        decode, attn = self._decode_scale(x)
        aux = []
        if with_aux and self.with_auxiliary_head:
            heads = self.auxiliary_head if isinstance(
                self.auxiliary_head, nn.ModuleList) else [self.auxiliary_head]
            aux = [h.forward(x) for h in heads]
        if self.upsample_to_input:
            size = img.shape[2:]
            decode = [self._resize(d, size) for d in decode]
            aux = [self._resize(a, size) for a in aux]
            if not self.scale_fusion.takes_features:
                attn = self._resize(attn, size)
        return dict(decode=decode, attn=attn, aux=aux)

    def multi_scale(self, inputs: Tensor, scales: Sequence[float],
                    with_aux: bool) -> Dict:
        """Run every scale and combine: ``decode`` and ``aux`` (the joint
        logits of each decode / auxiliary head) and ``per_scale`` (each
        scale's :meth:`_forward_scale` output)."""
        outs = [
            self._forward_scale(self.rescale(inputs, s), with_aux)
            for s in scales
        ]
        num_decode = len(outs[0]['decode'])
        streams = [[o['decode'][k] for o in outs] for k in range(num_decode)]
        streams += [[o['aux'][k] for o in outs]
                    for k in range(len(outs[0]['aux']))]
        if len(scales) == 1:
            joint = [s[0] for s in streams]
        else:
            joint = self.scale_fusion(scales, streams,
                                      [o['attn'] for o in outs])
        return dict(
            decode=joint[:num_decode], aux=joint[num_decode:], per_scale=outs)

    # ------------------------------------------------------------------
    # mmseg hooks
    def _auxiliary_head_forward_train(self, joint: List[Tensor],
                                      data_samples: SampleList) -> dict:
        """Losses of the auxiliary heads on their joint logits (one per
        head), named as mmseg's."""
        if isinstance(self.auxiliary_head, nn.ModuleList):
            losses = dict()
            for idx, (head,
                      logits) in enumerate(zip(self.auxiliary_head, joint)):
                losses.update(
                    add_prefix(
                        head.loss_by_feat(logits, data_samples), f'aux_{idx}'))
            return losses
        return add_prefix(
            self.auxiliary_head.loss_by_feat(joint[0], data_samples), 'aux')

    def _scale_losses(self, per_scale: List[Dict],
                      data_samples: SampleList) -> dict:
        """``scale_loss_weight`` x the loss of each scale's segmentation."""
        head = self.attention_head
        losses = dict()
        for s, out in zip(self.train_scales, per_scale):
            logits = out['decode'][-1]
            if self.scale_loss is None:
                raw = head.loss_by_feat(logits, data_samples)
            else:
                label = head._stack_batch_gt(data_samples)
                logits = self._resize(logits, label.shape[2:])
                raw = {
                    self.scale_loss.loss_name:
                    self.scale_loss(
                        logits,
                        label.squeeze(1),
                        ignore_index=head.ignore_index)
                }
            losses.update(
                add_prefix(
                    {
                        k: v * self.scale_loss_weight
                        for k, v in raw.items() if 'loss' in k
                    }, f'scale{s:g}'))
        return losses

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Losses of the joint outputs over ``train_scales`` and, with
        several scales, of each scale's segmentation."""
        res = self.multi_scale(inputs, self.train_scales, with_aux=True)
        losses = self._decode_head_forward_train(res['decode'], data_samples)
        if self.with_auxiliary_head:
            losses.update(
                self._auxiliary_head_forward_train(res['aux'], data_samples))
        if len(self.train_scales) > 1 and self.scale_loss_weight > 0:
            losses.update(self._scale_losses(res['per_scale'], data_samples))
        return losses

    def encode_decode(self, inputs: Tensor,
                      batch_img_metas: List[dict]) -> Tensor:
        """Joint logits over ``test_scales`` at the input's size."""
        res = self.multi_scale(inputs, self.test_scales, with_aux=False)
        return self._resize(res['decode'][-1], inputs.shape[2:])

    def _forward(self,
                 inputs: Tensor,
                 data_samples: OptSampleList = None) -> Tensor:
        """Joint logits without post-processing: over ``train_scales`` in
        training mode, over ``test_scales`` in eval mode."""
        scales = self.train_scales if self.training else self.test_scales
        return self.multi_scale(inputs, scales, with_aux=False)['decode'][-1]
