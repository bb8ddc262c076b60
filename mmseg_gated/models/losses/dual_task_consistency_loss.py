# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS


@MODELS.register_module()
class DualTaskConsistencyLoss(nn.Module):
    """Cross-entropy on confident boundary pixels (Gated-SCNN, Eq. 6).

    ``L = lambda_4 * mean_{p : s_p > thrs} CE(y_hat_p, f_p)``: the semantic
    prediction ``f`` is supervised only where the shape stream's boundary
    probability ``s`` exceeds ``thrs``, tying the two tasks together.
    Ignored pixels are excluded; with no qualifying pixel the loss is 0.

    With ``loss_cls`` another segmentation loss is applied to the labels
    masked to the confident pixels (the rest set to ``ignore_index``) instead
    of the plain mean CE: ``dict(type='ImageBasedCrossEntropyLoss')`` gives
    the authors' released ``edge_attention`` term (``loss.py``): per-image
    class weights recomputed from the masked labels, per-image weighted NLL,
    summed over the images.

    Args:
        threshold (float): Confidence threshold ``thrs`` on ``s``.
            Default: 0.8 (the authors' code).
        loss_cls (dict, optional): Loss applied to the masked labels
            (called as ``loss_cls(seg_logits, masked_label,
            ignore_index=...)``); None for the mean CE over the confident
            pixels (Eq. 6). Default: None.
        loss_weight (float): Weight ``lambda_4``. Default: 1.0.
        loss_name (str): Name in the loss dict.
            Default: 'loss_dual_consistency'.
    """

    def __init__(self,
                 threshold: float = 0.8,
                 loss_cls: Optional[dict] = None,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_dual_consistency') -> None:
        super().__init__()
        if not 0. <= threshold < 1.:
            raise ValueError(f'threshold must be in [0, 1), got {threshold}')
        self.threshold = threshold
        self.loss_cls = MODELS.build(loss_cls) if loss_cls else None
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self,
                seg_logits: torch.Tensor,
                seg_label: torch.Tensor,
                edge_prob: torch.Tensor,
                ignore_index: int = 255,
                **kwargs) -> torch.Tensor:
        """Args:
            seg_logits (Tensor): B x K x H x W class logits.
            seg_label (Tensor): B x H x W labels (or B x 1 x H x W).
            edge_prob (Tensor): B x 1 x H x W boundary probability ``s``.
            ignore_index (int): Label of ignored pixels, as the decode head
                passes it. Default: 255.
        """
        if seg_label.dim() == 4:
            seg_label = seg_label[:, 0]
        if edge_prob.dim() == 4:
            edge_prob = edge_prob.max(dim=1)[0]
        if seg_logits.shape[-2:] != seg_label.shape[-2:] or \
                edge_prob.shape != seg_label.shape:
            raise ValueError(
                f'seg_logits {tuple(seg_logits.shape)}, seg_label '
                f'{tuple(seg_label.shape)} and edge_prob '
                f'{tuple(edge_prob.shape)} must share B, H, W')
        keep = (edge_prob.detach() > self.threshold) & \
            (seg_label != ignore_index)
        if self.loss_cls is not None:
            masked = torch.where(
                keep, seg_label.long(),
                torch.full_like(seg_label.long(), ignore_index))
            return self.loss_weight * self.loss_cls(
                seg_logits, masked, ignore_index=ignore_index)
        n = keep.sum()
        if n == 0:
            return seg_logits.sum() * 0.
        target = torch.where(keep, seg_label.long(),
                             torch.full_like(seg_label.long(), ignore_index))
        loss = F.cross_entropy(
            seg_logits, target, ignore_index=ignore_index, reduction='sum') / n
        return self.loss_weight * loss

    @property
    def loss_name(self) -> str:
        return self._loss_name
