# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Per-scale predictions and attention of a multi-scale attention model
(hierarchical multi-scale attention, Fig. 5), read through forward
hooks."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import mmcv
import numpy as np
import torch
import torch.nn.functional as F

from .drawing import caption, colorize_labels, gray_map, resolve_palette, tile
from .hook_recorder import HookRecorder


class ScaleAttentionRecorder(HookRecorder):
    """Records, per inference scale in call order, the attention head's
    logits ``p_s`` (output of its ``conv_seg``) and the attention that
    scale's pass predicts (the head's ``scale_attn`` for hierarchical
    attention; ``scale_fusion.attention`` for explicit attention, which
    predicts one softmax over all scales from the features).

    Args:
        model (nn.Module): A :class:`HMSAMixin` segmentor.

    Attributes:
        logits (list[Tensor]): ``B x K x h x w`` per classifier call.
        attn (list[Tensor]): ``B x A x h x w`` per attention call.
    """

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        from mmseg_gated.models.segmentors import HMSAMixin
        if not isinstance(model, HMSAMixin):
            raise ValueError(
                f'{type(model).__name__} is not a multi-scale attention '
                'model (HMSAEncoderDecoder or '
                'HMSACascadeEncoderDecoder)')
        fusion = model.scale_fusion
        self.classifier = model.attention_head.conv_seg
        self.attention = fusion.attention if fusion.takes_features \
            else model.attention_head.scale_attn
        self.logits: List[torch.Tensor] = []
        self.attn: List[torch.Tensor] = []

    def reset(self) -> None:
        self.logits, self.attn = [], []

    def hooks(self):

        def keep(store):

            def fn(module, args, output):
                store.append(output.detach().cpu())

            return fn

        return [(self.classifier, keep(self.logits), 'forward'),
                (self.attention, keep(self.attn), 'forward')]


def upsample(x: torch.Tensor, size, align_corners: bool) -> torch.Tensor:
    """Bilinear resize of ``B x C x h x w`` to ``size`` (float)."""
    return F.interpolate(
        x.float(),
        size=tuple(size),
        mode='bilinear',
        align_corners=align_corners)


def scale_shares(model, scales: Sequence[float], attns: List[torch.Tensor],
                 size) -> List[torch.Tensor]:
    """The weight of each scale's prediction in the joint one, ``h x w``
    per scale, at ``size``.

    Explicit attention: its softmax channel of that scale. Hierarchical
    attention: the model's own :class:`HierarchicalScaleFusion` chain is
    linear in the predictions, so feeding a constant 1 for one scale and 0
    for the others gives that scale's share.
    """
    ac = model.align_corners
    fusion = model.scale_fusion
    if fusion.takes_features:
        attn = upsample(attns[0], size, ac)[0]
        return [attn[fusion.scales.index(s)] for s in scales]
    maps = [upsample(a, size, ac) for a in attns]
    ones = torch.ones(1, 1, *size)
    return [
        fusion(scales,
               [[ones if j == i else 0 * ones
                 for j in range(len(scales))]], maps)[0][0, 0]
        for i in range(len(scales))
    ]


def scale_montage(image, joint, preds, shares, scales) -> np.ndarray:
    """Two rows: the image and the joint prediction, then per scale
    (ascending) its prediction above its share; captioned."""
    order = sorted(range(len(scales)), key=lambda i: scales[i])
    top = [caption(image, 'image')]
    bottom = [caption(joint, 'joint prediction')]
    for i in order:
        top.append(caption(preds[i], f'{scales[i]:g}x prediction'))
        bottom.append(caption(shares[i], f'{scales[i]:g}x share'))
    return tile([top, bottom])


def visualize_scale_attention(model,
                              image: str,
                              out_dir: Optional[str] = None) -> List[str]:
    """Run ``model`` on ``image`` (its ``test_scales``) and write, named
    after the image (``STEM``), into ``out_dir`` (default: the image's
    folder), all at the image's size: ``STEM_pred.png`` (joint
    prediction), per scale ``s`` ``STEM_scale{s}_pred.png`` and
    ``STEM_scale{s}_weight.png`` (its share, white 1 .. black 0),
    ``STEM_scale{s}_attn.png`` (hierarchical attention ``a_s``, not for the
    highest scale, which is not used) and ``STEM_hmsa.png`` (montage).

    Returns:
        list[str]: The paths written.
    """
    from mmseg.apis import inference_model
    rec = ScaleAttentionRecorder(model)
    img = mmcv.imread(image)
    size = img.shape[:2]
    scales = model.test_scales
    with rec, torch.no_grad():
        result = inference_model(model, image)
    if len(rec.logits) != len(scales):
        raise RuntimeError(f'expected one classifier call per scale '
                           f'{scales}, recorded {len(rec.logits)}')
    palette = resolve_palette(model, model.num_classes)
    ac = model.align_corners
    joint = colorize_labels(result.pred_sem_seg.data[0].cpu().numpy(), palette)
    preds = [
        colorize_labels(upsample(lg, size, ac)[0].argmax(0).numpy(), palette)
        for lg in rec.logits
    ]
    shares = [
        gray_map(w.numpy())
        for w in scale_shares(model, scales, rec.attn, size)
    ]
    out_dir = out_dir or osp.dirname(osp.abspath(image))
    stem = osp.splitext(osp.basename(image))[0]
    pngs: Dict[str, np.ndarray] = dict(pred=joint)
    for i, s in enumerate(scales):
        pngs[f'scale{s:g}_pred'] = preds[i]
        pngs[f'scale{s:g}_weight'] = shares[i]
        if not model.scale_fusion.takes_features and s != max(scales):
            pngs[f'scale{s:g}_attn'] = gray_map(
                upsample(rec.attn[i], size, ac)[0, 0].numpy())
    pngs['hmsa'] = scale_montage(img, joint, preds, shares, scales)
    written = []
    for name, png in pngs.items():
        written.append(osp.join(out_dir, f'{stem}_{name}.png'))
        mmcv.imwrite(png, written[-1])
    return written
