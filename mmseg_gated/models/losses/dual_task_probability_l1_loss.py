# Copyright (c) mmseg_gated contributors. All rights reserved.
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS

from .utils import seg_label_with_ignore


def normalized_magnitude(maps: torch.Tensor, eps: float = 1e-6):
    """``sqrt(2 t^2 + eps) / max sqrt(2 t^2 + eps)``, the max over the whole
    tensor: what the authors' ``compute_grad_mag`` returns, since its
    smoothing (``convTri``) and its central differences
    (``gradient_central_diff``) return their input unchanged."""
    mag = torch.sqrt(2. * maps * maps + eps)
    return mag / mag.max()


@MODELS.register_module()
class DualTaskProbabilityL1Loss(nn.Module):
    """The Gated-SCNN dual-task loss as the authors' released code computes
    it (``my_functionals/DualTaskLoss.py``, ``DualTaskLoss``).

    Their boundary operator (``compute_grad_mag``) is meant to smooth each
    class map and take its spatial gradient (Eq. 4, the paper's version is
    :class:`DualTaskBoundaryLoss`), but its helpers return their input, so
    the loss compares probabilities, not boundaries:

    1. at ignored pixels the logits are set to 0 and the label to class 0;
    2. ``g = softmax((logits + G) / tau)`` over classes with Gumbel noise
       ``G = -log(eps - log(U + eps))``, ``U ~ U(0, 1)`` drawn by
       ``torch.rand_like(logits)`` (in training; in eval mode without
       ``G``), ``eps = 1e-10``;
    3. ``m(t) = sqrt(2 t^2 + 1e-6) / max(sqrt(2 t^2 + 1e-6))`` for ``g`` and
       for the one-hot labels, the max over the whole N x C x H x W tensor
       (:func:`normalized_magnitude`);
    4. ``L = lambda * (0.5 * sum(|m(g) - m(gt)| [m(g) >= th]) / (#[m(g) >=
       th] + eps) + 0.5 * the same with [m(gt) >= th])``, ``th = 1e-8``.

    Every element passes both thresholds (``m >= 7.07e-4``), so in effect it
    is the mean of ``|m(g) - m(gt)|`` over all elements, ignored pixels
    included.

    Args:
        tau (float): Gumbel-softmax temperature. Default: 0.5 (authors).
        gumbel (bool): Add the Gumbel noise in training. Default: True.
        threshold (float): ``th``. Default: 1e-8 (authors).
        loss_weight (float): Weight ``lambda_3``. Default: 1.0.
        loss_name (str): Name in the loss dict.
            Default: 'loss_dual_boundary'.
    """

    def __init__(self,
                 tau: float = 0.5,
                 gumbel: bool = True,
                 threshold: float = 1e-8,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_dual_boundary') -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError(f'tau must be positive, got {tau}')
        self.tau = tau
        self.gumbel = gumbel
        self.threshold = threshold
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self,
                seg_logits: torch.Tensor,
                seg_label: torch.Tensor,
                ignore_index: int = 255,
                **kwargs) -> torch.Tensor:
        """Args:
            seg_logits (Tensor): N x C x H x W class logits.
            seg_label (Tensor): N x H x W labels (or N x 1 x H x W).
            ignore_index (int): Label of ignored pixels, as the decode head
                passes it. Default: 255.
        """
        num_classes = seg_logits.size(1)
        label, ignore = seg_label_with_ignore(seg_logits, seg_label,
                                              ignore_index,
                                              type(self).__name__)
        logits = seg_logits
        if logits.dtype in (torch.float16, torch.bfloat16):
            logits = logits.float()
        logits = torch.where(ignore[:, None], torch.zeros_like(logits), logits)
        if self.gumbel and self.training:
            eps = 1e-10
            u = torch.rand_like(logits)
            logits = logits - torch.log(eps - torch.log(u + eps))
        g = F.softmax(logits / self.tau, dim=1)
        onehot = F.one_hot(label, num_classes).permute(0, 3, 1, 2).to(g)
        m_g = normalized_magnitude(g)
        m_gt = normalized_magnitude(onehot)
        err = (m_g - m_gt).abs()
        loss = err.new_zeros(())
        for m in (m_g, m_gt):
            support = (m.detach() >= self.threshold).to(err)
            loss = loss + 0.5 * (err * support).sum() / (support.sum() + 1e-10)
        return self.loss_weight * loss.to(seg_logits.dtype)

    @property
    def loss_name(self) -> str:
        return self._loss_name
