# Copyright (c) mmseg_gated contributors. All rights reserved.
import math
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import (ConfigType, OptConfigType, OptMultiConfig,
                         OptSampleList, SampleList, add_prefix)
from torch import Tensor

_DEFAULT_SCALES = dict(
    hierarchical=((0.5, 1.0), (0.5, 1.0, 2.0)),
    explicit=((0.5, 1.0, 2.0), (0.5, 1.0, 2.0)),
    avgpool=((1.0, ), (0.5, 1.0, 2.0)),
    single=((1.0, ), (1.0, )),
)


def _check_scales(name: str, scales) -> tuple:
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


@MODELS.register_module()
class MultiScaleAttentionEncoderDecoder(EncoderDecoder):
    """Encoder-decoder with hierarchical multi-scale attention.

    Tao et al., "Hierarchical Multi-Scale Attention for Semantic
    Segmentation" (Fig. 4, Tables 3-4). The network runs on rescaled copies
    of the image; the head returns logits ``p_s`` and an attention ``a_s``.

    - ``mode='hierarchical'`` (the paper's method). Training on a pair of
      scales (default 0.5, 1.0) with the relative attention of the lower
      scale: ``joint = up(a_0.5 * p_0.5) + (1 - up(a_0.5)) * p_1.0``
      (multiply before upsampling). Inference over any scales containing
      1.0 (default 0.5, 1.0, 2.0), from the highest scale down:
      ``pred = p_max``; for ``s >= 1``: ``pred = a_s p_s + (1 - a_s)
      down(pred)``; for ``s < 1``: ``pred = up(a_s p_s) + (1 - up(a_s))
      pred``. The same chain is applied to training with more than two
      scales.
    - ``mode='explicit'`` (Chen et al., "Attention to Scale"; Table 3
      "Explicit"): the attention head sees the concatenation of all scales'
      attention features (resized to the 1.0 scale) and predicts a softmax
      over a fixed scale set; ``pred = sum_s a_s up(p_s)``; trained and
      tested on the same scales.
    - ``mode='avgpool'`` (Table 3 "Baseline avgpool"): trained at 1.0,
      tested by averaging the softmax over scales (returned as log-probs).
    - ``mode='single'`` (Table 3 "Baseline single scale").

    Every auxiliary output (earlier stages of a cascade ``decode_head``
    list such as HRNet-OCR's soft-region FCN head, and ``auxiliary_head``)
    is combined across scales with the same attention ("the same for the
    OCR aux logits") and supervised on the joint output with its own loss
    (aux weight 0.4 in the configs). With several training scales each
    single-scale prediction ``p_s`` is also supervised with
    ``scale_loss_weight`` x the head's loss (0.05, the authors'
    ``SUPERVISED_MSCALE_WT``).

    Inference goes through ``encode_decode``, so mmseg's ``whole`` and
    ``slide`` modes and :class:`SegTTAModel` flips work unchanged.

    Args:
        backbone (dict): Backbone config.
        decode_head (dict | list[dict]): Decode head, or a cascade of heads
            (as :class:`CascadeEncoderDecoder`) whose last head predicts the
            attention. In 'hierarchical'/'explicit' mode the last head must
            provide ``forward_with_attention`` (:class:`MscaleOCRHead`,
            :class:`MscaleSepASPPHead`); baselines take any head.
        mode (str): 'hierarchical', 'explicit', 'avgpool' or 'single'.
            Default: 'hierarchical'.
        train_scales (Sequence[float], optional): Training scales; must
            contain 1.0. Default: per mode, (0.5, 1.0) hierarchical,
            (0.5, 1.0, 2.0) explicit, (1.0, ) baselines.
        test_scales (Sequence[float], optional): Inference scales; must
            contain 1.0. Default: (0.5, 1.0, 2.0); (1.0, ) for 'single'; the
            training scales for 'explicit'.
        scale_loss_weight (float): Weight of the loss on each single-scale
            prediction when training on several scales. Default: 0.05.
        scale_loss (dict, optional): Loss for those single-scale terms;
            None uses the head's ``loss_decode``. Default: None.
        upsample_to_input (bool): Resize every scale's logits and attention
            to that scale's input size before combining, as the authors'
            code (``_fwd``) does; False combines at the head's output
            resolution (cheaper). The Cityscapes HRNet-OCR configs, into
            which ``tools/model_converters/hmsa_mscale_ocr.py`` converts the
            authors' checkpoints, set True. Default: False.
        num_stages (int, optional): Accepted for configs written for
            :class:`CascadeEncoderDecoder`; must equal the number of decode
            heads. Default: None.
        neck, auxiliary_head, train_cfg, test_cfg, data_preprocessor,
        pretrained, init_cfg: As :class:`mmseg.models.EncoderDecoder`.
    """

    MODES = ('hierarchical', 'explicit', 'avgpool', 'single')

    def __init__(self,
                 backbone: ConfigType,
                 decode_head,
                 mode: str = 'hierarchical',
                 train_scales: Optional[Sequence[float]] = None,
                 test_scales: Optional[Sequence[float]] = None,
                 scale_loss_weight: float = 0.05,
                 scale_loss: OptConfigType = None,
                 num_stages: Optional[int] = None,
                 upsample_to_input: bool = False,
                 neck: OptConfigType = None,
                 auxiliary_head: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 pretrained: Optional[str] = None,
                 init_cfg: OptMultiConfig = None):
        if mode not in self.MODES:
            raise ValueError(f'mode must be one of {self.MODES}, got {mode!r}')
        self.mode = mode
        if num_stages is not None:
            n = len(decode_head) if isinstance(decode_head,
                                               (list, tuple)) else 1
            if num_stages != n:
                raise ValueError(f'num_stages={num_stages} but decode_head '
                                 f'has {n} head(s)')
        super().__init__(
            backbone=backbone,
            decode_head=decode_head,
            neck=neck,
            auxiliary_head=auxiliary_head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            pretrained=pretrained,
            init_cfg=init_cfg)
        default_train, default_test = _DEFAULT_SCALES[mode]
        if mode == 'explicit' and train_scales is not None:
            default_test = train_scales
        self.train_scales = _check_scales(
            'train_scales',
            default_train if train_scales is None else train_scales)
        self.test_scales = _check_scales(
            'test_scales',
            default_test if test_scales is None else test_scales)
        if mode in ('single', 'avgpool') and self.train_scales != (1.0, ):
            raise ValueError(f"mode '{mode}' trains at scale 1.0 only, got "
                             f'train_scales={self.train_scales}')
        if mode == 'single' and self.test_scales != (1.0, ):
            raise ValueError("mode 'single' tests at scale 1.0 only, got "
                             f'test_scales={self.test_scales}')
        if mode in ('hierarchical', 'explicit'):
            head = self._attn_head
            if not hasattr(head, 'forward_with_attention'):
                raise TypeError(
                    f"mode '{mode}' needs a decode head with "
                    'forward_with_attention (e.g. MscaleOCRHead, '
                    f'MscaleSepASPPHead), got {type(head).__name__}')
            want = 1 if mode == 'hierarchical' else len(self.train_scales)
            got = head.scale_attn.num_scales
            if got != want:
                raise ValueError(
                    f"mode '{mode}' with train_scales={self.train_scales} "
                    f'needs scale_attn.num_scales={want}, got {got}')
            if mode == 'explicit' and \
                    sorted(self.test_scales) != sorted(self.train_scales):
                raise ValueError(
                    'explicit attention is learned for a fixed scale set: '
                    f'test_scales {self.test_scales} must equal '
                    f'train_scales {self.train_scales}')
        self.upsample_to_input = bool(upsample_to_input)
        self.scale_loss_weight = float(scale_loss_weight)
        self.scale_loss = MODELS.build(scale_loss) \
            if scale_loss is not None else None

    # ------------------------------------------------------------------
    # construction helpers
    def _init_decode_head(self, decode_head) -> None:
        """A single head, or a cascade of heads (list) as mmseg's
        :class:`CascadeEncoderDecoder`."""
        if isinstance(decode_head, (list, tuple)):
            if len(decode_head) < 2:
                raise ValueError('a cascade decode_head needs at least two '
                                 f'heads, got {len(decode_head)}')
            self.decode_head = nn.ModuleList(
                [MODELS.build(cfg) for cfg in decode_head])
            last = self.decode_head[-1]
        else:
            self.decode_head = MODELS.build(decode_head)
            last = self.decode_head
        self.align_corners = last.align_corners
        self.num_classes = last.num_classes
        self.out_channels = last.out_channels

    @property
    def _is_cascade(self) -> bool:
        return isinstance(self.decode_head, nn.ModuleList)

    @property
    def _attn_head(self):
        return self.decode_head[-1] if self._is_cascade else self.decode_head

    def _resize(self, x: Tensor, size) -> Tensor:
        if tuple(x.shape[2:]) == tuple(size):
            return x
        return resize(
            x, size=tuple(size), mode='bilinear',
            align_corners=self.align_corners)

    def _rescale(self, inputs: Tensor, scale: float) -> Tensor:
        """The image at ``scale``: ``floor(h * scale) x floor(w * scale)``
        (at least 1), as the authors' ``scale_factor`` interpolation."""
        if scale == 1.0:
            return inputs
        h, w = inputs.shape[2:]
        size = (max(1, math.floor(h * scale)), max(1, math.floor(w * scale)))
        return self._resize(inputs, size)

    # ------------------------------------------------------------------
    # one scale
    def _forward_scale(self, img: Tensor, with_aux: bool) -> Dict:
        """Run the network on one rescaled image.

        Returns a dict with ``seg`` (logits), ``attn`` (attention map, or the
        attention features in explicit mode, or None) and ``aux`` (the
        auxiliary logits: cascade stages, then auxiliary heads)."""
        x = self.extract_feat(img)
        aux = []
        need_attn = self.mode in ('hierarchical', 'explicit')
        feats_only = self.mode == 'explicit'
        head = self._attn_head
        if self._is_cascade:
            prev = self.decode_head[0].forward(x)
            aux.append(prev)
            for stage in self.decode_head[1:-1]:
                prev = stage.forward(x, prev)
                aux.append(prev)
            if need_attn:
                seg, attn = head.forward_with_attention(
                    x, prev, return_feats=feats_only)
            else:
                seg, attn = head.forward(x, prev), None
        else:
            if need_attn:
                seg, attn = head.forward_with_attention(
                    x, return_feats=feats_only)
            else:
                seg, attn = head.forward(x), None
        if with_aux and self.with_auxiliary_head:
            heads = self.auxiliary_head if isinstance(
                self.auxiliary_head, nn.ModuleList) else [self.auxiliary_head]
            aux.extend(h.forward(x) for h in heads)
        if self.upsample_to_input:
            size = img.shape[2:]
            seg = self._resize(seg, size)
            aux = [self._resize(a, size) for a in aux]
            if attn is not None and not feats_only:
                attn = self._resize(attn, size)
        return dict(seg=seg, attn=attn, aux=aux)

    # ------------------------------------------------------------------
    # combination rules
    def hierarchical_combine(self, scales: Sequence[float],
                             preds: List[Tensor],
                             attns: List[Tensor]) -> Tensor:
        """The hierarchical chain (Fig. 4), from the highest scale down.

        Args:
            scales: The scale of each prediction.
            preds: ``B x C x h_s x w_s`` logits per scale.
            attns: ``B x 1 x h'_s x w'_s`` attention per scale (resized to
                its prediction's size if needed; the highest scale's is not
                used).

        Returns:
            Tensor: Logits at the size of the 1.0-scale prediction (or of the
            lowest scale >= 1 processed last).
        """
        order = sorted(range(len(scales)), key=lambda i: -scales[i])
        out = None
        for i in order:
            p = preds[i]
            if out is None:
                out = p
                continue
            a = self._resize(attns[i], p.shape[2:])
            if scales[i] >= 1.0:
                out = a * p + (1 - a) * self._resize(out, p.shape[2:])
            else:
                size = out.shape[2:]
                out = self._resize(a * p, size) + \
                    (1 - self._resize(a, size)) * out
        return out

    def explicit_attention(self, scales: Sequence[float],
                           feats: List[Tensor]) -> Tensor:
        """Softmax attention over the scales, from the attention features
        of every scale resized to the 1.0 scale's and concatenated in the
        order of ``self.train_scales``."""
        ref = feats[scales.index(1.0)].shape[2:]
        by_scale = {s: self._resize(f, ref) for s, f in zip(scales, feats)}
        cat = torch.cat([by_scale[s] for s in self.train_scales], dim=1)
        attn = self._attn_head.scale_attn(cat)
        # reorder channels to the order of ``scales``
        idx = [self.train_scales.index(s) for s in scales]
        return attn[:, idx]

    def explicit_combine(self, scales: Sequence[float], preds: List[Tensor],
                         attn: Tensor) -> Tensor:
        """``sum_s a_s up(p_s)`` at the size of the 1.0-scale prediction;
        ``attn`` has one channel per entry of ``scales``."""
        ref = preds[scales.index(1.0)].shape[2:]
        attn = self._resize(attn, ref)
        out = 0
        for i, p in enumerate(preds):
            out = out + attn[:, i:i + 1] * self._resize(p, ref)
        return out

    def avgpool_combine(self, scales: Sequence[float],
                        preds: List[Tensor]) -> Tensor:
        """``log(mean_s softmax(up(p_s)))`` at the 1.0 scale's size: its
        softmax is the average of the scales' class probabilities."""
        ref = preds[scales.index(1.0)].shape[2:]
        probs = [self._resize(p, ref).softmax(dim=1) for p in preds]
        return torch.log(torch.stack(probs).mean(0).clamp_min(1e-12))

    def _multi_scale(self, inputs: Tensor, scales: Sequence[float],
                     with_aux: bool) -> Dict:
        """Run every scale and combine. Returns ``seg`` (joint logits),
        ``aux`` (joint auxiliary logits) and ``per_scale`` (raw outputs)."""
        outs = [
            self._forward_scale(self._rescale(inputs, s), with_aux)
            for s in scales
        ]
        segs = [o['seg'] for o in outs]
        num_aux = len(outs[0]['aux'])
        auxs = [[o['aux'][k] for o in outs] for k in range(num_aux)]
        if len(scales) == 1:
            joint, joint_aux = segs[0], [a[0] for a in auxs]
        elif self.mode == 'hierarchical':
            attns = [o['attn'] for o in outs]
            joint = self.hierarchical_combine(scales, segs, attns)
            joint_aux = [
                self.hierarchical_combine(scales, a, attns) for a in auxs
            ]
        elif self.mode == 'explicit':
            attn = self.explicit_attention(scales, [o['attn'] for o in outs])
            joint = self.explicit_combine(scales, segs, attn)
            joint_aux = [self.explicit_combine(scales, a, attn) for a in auxs]
        else:  # avgpool
            joint = self.avgpool_combine(scales, segs)
            joint_aux = [self.avgpool_combine(scales, a) for a in auxs]
        return dict(seg=joint, aux=joint_aux, per_scale=outs)

    # ------------------------------------------------------------------
    # mmseg entry points
    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Losses on the joint output, the joint auxiliary outputs and (with
        several scales) ``scale_loss_weight`` x each single-scale output."""
        res = self._multi_scale(inputs, self.train_scales, with_aux=True)
        head = self._attn_head
        losses = dict()
        main_prefix = f'decode_{len(self.decode_head) - 1}' \
            if self._is_cascade else 'decode'
        losses.update(
            add_prefix(head.loss_by_feat(res['seg'], data_samples),
                       main_prefix))
        aux_heads, aux_names = [], []
        if self._is_cascade:
            for k, stage in enumerate(self.decode_head[:-1]):
                aux_heads.append(stage)
                aux_names.append(f'decode_{k}')
        if self.with_auxiliary_head:
            if isinstance(self.auxiliary_head, nn.ModuleList):
                for k, h in enumerate(self.auxiliary_head):
                    aux_heads.append(h)
                    aux_names.append(f'aux_{k}')
            else:
                aux_heads.append(self.auxiliary_head)
                aux_names.append('aux')
        for h, name, logits in zip(aux_heads, aux_names, res['aux']):
            losses.update(add_prefix(h.loss_by_feat(logits, data_samples),
                                     name))
        if len(self.train_scales) > 1 and self.scale_loss_weight > 0:
            for s, out in zip(self.train_scales, res['per_scale']):
                scale_losses = self._scale_loss(out['seg'], data_samples)
                losses.update(add_prefix(scale_losses, f'scale{s:g}'))
        return losses

    def _scale_loss(self, logits: Tensor, data_samples: SampleList) -> dict:
        head = self._attn_head
        if self.scale_loss is None:
            raw = head.loss_by_feat(logits, data_samples)
        else:
            label = head._stack_batch_gt(data_samples)
            logits = self._resize(logits, label.shape[2:])
            raw = {
                self.scale_loss.loss_name:
                self.scale_loss(
                    logits, label.squeeze(1), ignore_index=head.ignore_index)
            }
        return {
            k: v * self.scale_loss_weight
            for k, v in raw.items() if 'loss' in k
        }

    def encode_decode(self, inputs: Tensor,
                      batch_img_metas: List[dict]) -> Tensor:
        """Multi-scale logits over ``test_scales`` at the input's size (used
        by whole and slide inference)."""
        seg = self._multi_scale(inputs, self.test_scales, with_aux=False)
        return self._resize(seg['seg'], inputs.shape[2:])

    def _forward(self,
                 inputs: Tensor,
                 data_samples: OptSampleList = None) -> Tensor:
        """Joint logits without post-processing: over ``train_scales`` in
        training mode, over ``test_scales`` in eval mode."""
        scales = self.train_scales if self.training else self.test_scales
        return self._multi_scale(inputs, scales, with_aux=False)['seg']
