# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.losses.utils import get_class_weight
from mmseg.registry import MODELS


@MODELS.register_module()
class HRNetCrossEntropyLoss(nn.Module):
    """Pixel cross-entropy as the HRNet segmentation code defines it, with or
    without OHEM (HRNet-Semantic-Segmentation ``lib/core/criterion.py``,
    ``CrossEntropy`` and ``OhemCrossEntropy``; GSTO trains with the same file,
    VDIGPKU/GSTO ``core/criterion.py``).

    With ``l_i = -log softmax(x_i)[y_i]`` and ``w_c`` the class weights (1
    when ``class_weight`` is None), over the non-ignored pixels ``i`` of the
    whole batch (all images together):

    - ``ohem_thresh=None`` (their ``CrossEntropy``, PyTorch's weighted mean):
      ``sum_i w_{y_i} l_i / sum_i w_{y_i}``.
    - ``ohem_thresh=t`` (their ``OhemCrossEntropy``): sort the probabilities
      ``p_i = softmax(x_i)[y_i]`` ascending, ``p_(0) <= p_(1) <= ...``; with
      ``k = min(min_kept, n - 1)`` the threshold is ``T = max(p_(k), t)`` and
      the kept pixels are ``K = {i : p_i < T}`` (strictly less); the loss is
      the plain mean ``sum_{i in K} w_{y_i} l_i / |K|`` (class-weighted pixel
      losses, divided by the number of kept pixels, not by their weights).
      ``min_kept`` counts pixels per call, i.e. per GPU batch.

    mmseg's ``CrossEntropyLoss(class_weight=...)`` divides the weighted sum
    by the number of pixels (``avg_non_ignore=True``: non-ignored ones)
    instead of by the sum of weights, and mmseg's ``OHEMPixelSampler`` keeps
    the same pixels (``min_kept`` per image) but the loss then divides by the
    non-ignored (or all) pixels instead of the kept ones; neither is the
    authors' objective
    (``tests/test_models/test_losses/test_gsto_hrnet_ce_loss.py`` measures
    both).

    Args:
        class_weight (list[float] | str, optional): Weight of each class
            (a list or a file name, as mmseg's ``CrossEntropyLoss``).
            Default: None.
        ohem_thresh (float, optional): OHEM probability threshold (their
            ``LOSS.OHEMTHRES``); None disables OHEM. Default: None.
        min_kept (int): Minimum number of pixels kept by OHEM per call
            (their ``LOSS.OHEMKEEP``; at least 1). Default: 100000.
        loss_weight (float): Weight of the loss. Default: 1.0.
        loss_name (str): Name in the loss dict. Default: 'loss_ce'.
    """

    def __init__(self,
                 class_weight: Optional[Union[Sequence[float], str]] = None,
                 ohem_thresh: Optional[float] = None,
                 min_kept: int = 100000,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_ce') -> None:
        super().__init__()
        self.class_weight = get_class_weight(class_weight)
        self.ohem_thresh = ohem_thresh
        self.min_kept = max(1, int(min_kept))
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self,
                cls_score: torch.Tensor,
                label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                ignore_index: int = 255,
                **kwargs) -> torch.Tensor:
        """Args:
            cls_score (Tensor): N x C x H x W logits, already at the label's
                size (mmseg's decode heads resize them before the loss).
            label (Tensor): N x H x W class indices.
            weight (Tensor, optional): Must be None: this loss selects its
                pixels itself (configure no ``sampler`` with it).
            ignore_index (int): Label value to ignore. Default: 255.
            **kwargs: Ignored.
        """
        if weight is not None:
            raise ValueError('HRNetCrossEntropyLoss does its own pixel '
                             'selection; remove the sampler')
        if cls_score.shape[2:] != label.shape[1:]:
            raise ValueError(f'cls_score {tuple(cls_score.shape)} and label '
                             f'{tuple(label.shape)} differ in size')
        class_weight = None
        if self.class_weight is not None:
            class_weight = cls_score.new_tensor(self.class_weight)
        # w_{y_i} * l_i per pixel, 0 on ignored pixels
        pixel_loss = F.cross_entropy(
            cls_score,
            label,
            weight=class_weight,
            ignore_index=ignore_index,
            reduction='none')
        valid = label != ignore_index
        if not valid.any():
            return cls_score.sum() * 0.
        pixel_loss = pixel_loss[valid]
        if self.ohem_thresh is None:
            if class_weight is None:
                denom = pixel_loss.new_tensor(float(pixel_loss.numel()))
            else:
                denom = class_weight[label[valid]].sum()
            return self.loss_weight * pixel_loss.sum() / denom
        with torch.no_grad():
            target = label.clone()
            target[~valid] = 0
            prob = F.softmax(cls_score, dim=1)
            prob = prob.gather(1, target.unsqueeze(1)).squeeze(1)[valid]
            sorted_prob = prob.sort()[0]
            kth = sorted_prob[min(self.min_kept, sorted_prob.numel() - 1)]
            threshold = max(kth.item(), self.ohem_thresh)
            keep = prob < threshold
        if not keep.any():
            return cls_score.sum() * 0.
        return self.loss_weight * pixel_loss[keep].mean()

    @property
    def loss_name(self) -> str:
        return self._loss_name
