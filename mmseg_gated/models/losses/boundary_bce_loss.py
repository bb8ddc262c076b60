# Copyright (c) mmseg_gated contributors. All rights reserved.
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS


@MODELS.register_module()
class BoundaryBCELoss(nn.Module):
    """Class-balanced binary cross-entropy on boundary maps (Gated-SCNN,
    Eq. 3, the ``lambda_1 L_BCE(s, s_hat)`` term, ``lambda_1 = 20``).

    Positive (boundary) pixels are weighted by the fraction of negative
    pixels in the batch and negative pixels by the fraction of positive ones
    (Xie and Tu's HED weighting, as the authors' ``bce2d``); every label
    other than 0 and 1 (the band's ignore value, whichever it is) gets
    weight 0. The loss is the weighted BCE summed over valid pixels and
    divided by their number. By default it is computed from the logits
    (Eq. 3).

    The authors' released ``bce2d`` (``loss.py``) differs in two ways, both
    available here: it applies BCE-with-logits to the edge output *after*
    its sigmoid, so the probability is squashed a second time
    (``double_sigmoid=True``), and it divides by all pixels of the batch,
    valid or not (``normalize_by='all'``; the same when the target has no
    ignored pixels, as their edge ground truth has none).

    Args:
        loss_weight (float): Weight ``lambda_1``. Default: 20.0.
        double_sigmoid (bool): Apply BCE-with-logits to ``sigmoid(logits)``
            (the authors' released code) instead of the logits (Eq. 3).
            Default: False.
        normalize_by (str): 'valid' (pixels labelled 0 or 1) or 'all'
            (every pixel, the authors' ``size_average``). Default: 'valid'.
        loss_name (str): Name in the loss dict. Default: 'loss_edge'.
    """

    def __init__(self,
                 loss_weight: float = 20.0,
                 double_sigmoid: bool = False,
                 normalize_by: str = 'valid',
                 loss_name: str = 'loss_edge') -> None:
        super().__init__()
        if normalize_by not in ('valid', 'all'):
            raise ValueError("normalize_by must be 'valid' or 'all', got "
                             f'{normalize_by!r}')
        self.loss_weight = loss_weight
        self.double_sigmoid = double_sigmoid
        self.normalize_by = normalize_by
        self._loss_name = loss_name

    def forward(self, edge_logits: torch.Tensor, edge_label: torch.Tensor,
                **kwargs) -> torch.Tensor:
        """Args:
            edge_logits (Tensor): B x 1 x H x W (or B x H x W) logits.
            edge_label (Tensor): Same spatial shape, 0/1 and ignore.
            **kwargs: Ignored (e.g. the ``ignore_index`` a decode head
                passes: every value other than 0/1 is ignored anyway).
        """
        if edge_logits.dim() == 4:
            if edge_logits.size(1) != 1:
                raise ValueError('edge_logits must have 1 channel, got '
                                 f'{tuple(edge_logits.shape)}')
            edge_logits = edge_logits[:, 0]
        if edge_label.dim() == 4:
            edge_label = edge_label[:, 0]
        if edge_logits.shape != edge_label.shape:
            raise ValueError(f'edge_logits {tuple(edge_logits.shape)} and '
                             f'edge_label {tuple(edge_label.shape)} differ')
        pos = edge_label == 1
        neg = edge_label == 0
        # counts in float32 at least (float16 overflows at 65504 pixels)
        count_dtype = torch.promote_types(edge_logits.dtype, torch.float32)
        n_pos = pos.sum().to(count_dtype)
        n_neg = neg.sum().to(count_dtype)
        n_valid = n_pos + n_neg
        if n_valid == 0:
            return edge_logits.sum() * 0.
        weight = torch.zeros_like(edge_logits)
        weight[pos] = (n_neg / n_valid).to(weight.dtype)
        weight[neg] = (n_pos / n_valid).to(weight.dtype)
        target = pos.to(edge_logits.dtype)
        if self.double_sigmoid:
            edge_logits = torch.sigmoid(edge_logits)
        denom = n_valid if self.normalize_by == 'valid' else float(
            edge_logits.numel())
        loss = F.binary_cross_entropy_with_logits(
            edge_logits, target, weight=weight, reduction='sum') / denom
        return self.loss_weight * loss

    @property
    def loss_name(self) -> str:
        return self._loss_name
