# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS


def image_class_weights(label: torch.Tensor,
                        num_classes: int,
                        upper_bound: float = 1.0,
                        ignore_index: int = 255) -> torch.Tensor:
    """Per-image class weights ``1 + upper_bound * (1 - f_c)``.

    ``f_c`` is the fraction of the image's labelled pixels (labels in
    ``[0, num_classes)``) that carry class ``c``; classes absent from the
    image get weight 1 (the authors' ``calculateWeights``: a histogram over
    the bins ``0..num_classes`` normalised to a density, so labels outside
    that range, the ignore label included, are not counted).

    Args:
        label (Tensor): N x H x W integer labels.
        num_classes (int): Number of classes ``C``.
        upper_bound (float): The weight's scale. Default: 1.0.
        ignore_index (int): Ignored label (never counted). Default: 255.

    Returns:
        Tensor: N x C float64 weights (an image with no labelled pixel gets
        weights 1).
    """
    n = label.size(0)
    flat = label.reshape(n, -1).long()
    valid = (flat >= 0) & (flat < num_classes) & (flat != ignore_index)
    counts = torch.zeros(
        n, num_classes, dtype=torch.float64, device=label.device)
    counts.scatter_add_(1, torch.where(valid, flat, torch.zeros_like(flat)),
                        valid.to(torch.float64))
    total = counts.sum(1, keepdim=True).clamp(min=1)
    freq = counts / total
    return 1. + upper_bound * (counts > 0).to(freq) * (1. - freq)


@MODELS.register_module()
class ImageBasedCrossEntropyLoss(nn.Module):
    """Cross-entropy with class weights computed from each image's labels.

    The segmentation (and edge-attention) loss of the Gated-SCNN authors'
    training code (``loss.py``, ``ImageBasedCrossEntropyLoss2d`` with
    ``cfg.BATCH_WEIGHTING`` False): for image ``i`` the class weights are
    ``w_i[c] = 1 + upper_bound * (1 - f_i[c])`` for the classes present in
    it (``f_i[c]``: fraction of its labelled pixels with label ``c``) and 1
    for absent ones (:func:`image_class_weights`); its loss is the weighted
    NLL of ``log_softmax`` over its labelled pixels divided by the sum of
    their weights::

        L_i = sum_p w_i[y_p] * -log softmax(x_p)[y_p] / sum_p w_i[y_p]

    and the batch's loss is ``sum_i L_i`` (the authors', so the loss grows
    with the images per GPU) or ``mean_i L_i``. An image without labelled
    pixels contributes 0 (theirs gives NaN). Rarer classes of an image weigh
    up to ``1 + upper_bound``.

    Args:
        upper_bound (float): ``upper_bound`` of the weights (the authors'
            ``--wt_bound``). Default: 1.0.
        image_reduction (str): 'sum' (authors) or 'mean' over the images of
            the batch. Default: 'sum'.
        loss_weight (float): Weight of the loss. Default: 1.0.
        loss_name (str): Name in the loss dict (must start with ``loss_``).
            Default: 'loss_ce'.
    """

    def __init__(self,
                 upper_bound: float = 1.0,
                 image_reduction: str = 'sum',
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_ce') -> None:
        super().__init__()
        if image_reduction not in ('sum', 'mean'):
            raise ValueError("image_reduction must be 'sum' or 'mean', got "
                             f'{image_reduction!r}')
        self.upper_bound = upper_bound
        self.image_reduction = image_reduction
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self,
                cls_score: torch.Tensor,
                label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                ignore_index: int = 255,
                **kwargs) -> torch.Tensor:
        """Args:
            cls_score (Tensor): N x C x H x W logits.
            label (Tensor): N x H x W labels (or N x 1 x H x W).
            weight (Tensor, optional): Per-pixel weights (mmseg's pixel
                sampler); not supported, must be None.
            ignore_index (int): Ignored label, as the decode head passes it.
                Default: 255.
            **kwargs: Ignored (mmseg's loss call arguments).
        """
        if weight is not None:
            raise ValueError('ImageBasedCrossEntropyLoss takes no pixel '
                             'weights (no sampler)')
        if label.dim() == 4:
            label = label[:, 0]
        if cls_score.dim() != 4 or cls_score.shape[0] != label.shape[0] or \
                cls_score.shape[-2:] != label.shape[-2:]:
            raise ValueError(f'cls_score {tuple(cls_score.shape)} must be '
                             f'N x C x H x W matching label '
                             f'{tuple(label.shape)}')
        num_classes = cls_score.size(1)
        label = label.long()
        class_w = image_class_weights(label, num_classes, self.upper_bound,
                                      ignore_index).to(cls_score.dtype)
        valid = (label >= 0) & (label < num_classes) & (label != ignore_index)
        target = torch.where(valid, label, torch.zeros_like(label))
        nll = -F.log_softmax(cls_score, dim=1).gather(1, target[:, None])[:, 0]
        # w_i[y_p] on labelled pixels, 0 elsewhere
        pix_w = class_w.gather(1, target.flatten(1)).view_as(nll)
        pix_w = pix_w * valid.to(pix_w)
        num = (pix_w * nll).flatten(1).sum(1)
        den = pix_w.flatten(1).sum(1)
        per_image = torch.where(den > 0, num / den.clamp(min=1e-12), num * 0.)
        loss = per_image.sum() if self.image_reduction == 'sum' \
            else per_image.mean()
        return self.loss_weight * loss

    @property
    def loss_name(self) -> str:
        return self._loss_name
