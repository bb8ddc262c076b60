# Copyright (c) mmseg_gated contributors. All rights reserved.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS

from .utils import seg_label_with_ignore


def gaussian_kernel1d(sigma: float) -> torch.Tensor:
    """1-D normalised Gaussian ``G`` of Eq. 4, radius ``ceil(2 sigma)``."""
    r = max(1, int(math.ceil(2 * sigma)))
    x = torch.arange(-r, r + 1, dtype=torch.float64)
    k = torch.exp(-x**2 / (2 * sigma**2))
    return (k / k.sum()).float()


def boundary_magnitude(maps: torch.Tensor,
                       kernel1d: torch.Tensor,
                       eps: float = 1e-12) -> torch.Tensor:
    """``zeta = 1/sqrt(2) * ||grad(G * maps)||`` per channel (Eq. 4).

    ``maps`` (B x K x H x W) is smoothed with the separable kernel and
    differenced with the central difference ``[-1, 0, 1]`` in x and y,
    with replicate padding, so the image border is no boundary and
    ``zeta`` lies in [0, 1] for maps in [0, 1].
    """
    b, k, h, w = maps.shape
    r = kernel1d.numel() // 2
    x = maps.reshape(b * k, 1, h, w)
    kern = kernel1d.to(x)
    x = F.pad(x, (r, r, 0, 0), mode='replicate')
    x = F.conv2d(x, kern.view(1, 1, 1, -1))
    x = F.pad(x, (0, 0, r, r), mode='replicate')
    x = F.conv2d(x, kern.view(1, 1, -1, 1))
    xp = F.pad(x, (1, 1, 1, 1), mode='replicate')
    gx = xp[:, :, 1:-1, 2:] - xp[:, :, 1:-1, :-2]
    gy = xp[:, :, 2:, 1:-1] - xp[:, :, :-2, 1:-1]
    mag = torch.sqrt(gx * gx + gy * gy + eps) / math.sqrt(2.)
    return mag.reshape(b, k, h, w)


@MODELS.register_module()
class DualTaskBoundaryLoss(nn.Module):
    """Boundary-consistency regulariser of Gated-SCNN, Eq. 4-5.

    ``zeta = 1/sqrt(2) ||grad(G * argmax_k p(y^k | r, s))||`` is the boundary
    map of the prediction, made differentiable with the Gumbel softmax
    (temperature ``tau``) instead of the argmax, smoothed by the Gaussian
    ``G`` and differenced centrally, per class. ``zeta_hat`` is the same
    operator on the one-hot ground truth. Eq. 5 sums ``|zeta - zeta_hat|``
    over ``p+``, the positions (class, pixel) where either map is non-zero.
    As the authors' code, the sum is normalised per map::

        L = lambda_3 * (0.5 * mean_{zeta > t} |zeta - zeta_hat|
                        + 0.5 * mean_{zeta_hat > t} |zeta - zeta_hat|)

    so the error on the true boundaries keeps its strength in training,
    where the Gumbel noise makes ``zeta`` non-zero almost everywhere (one
    mean over the union of both supports would dilute it several times).
    A mean over an empty support counts 0. Pixels within the filter
    support of an ignored pixel are left out. The authors' released loss
    skips the smoothing and the differences (its helpers return their
    input); this one does not.

    Args:
        tau (float): Gumbel-softmax temperature. Default: 0.5 (authors).
        gumbel (bool): Add Gumbel noise in training; if False (or in eval
            mode) ``softmax(logits / tau)`` is used. Default: True.
        sigma (float): Sigma of ``G``; the kernel radius is
            ``ceil(2 sigma)``. Default: 1.0.
        threshold (float): ``t``: a map value above it counts as non-zero.
            Default: 1e-4.
        loss_weight (float): Weight ``lambda_3``. Default: 1.0.
        loss_name (str): Name in the loss dict.
            Default: 'loss_dual_boundary'.
    """

    def __init__(self,
                 tau: float = 0.5,
                 gumbel: bool = True,
                 sigma: float = 1.0,
                 threshold: float = 1e-4,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_dual_boundary') -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError(f'tau must be positive, got {tau}')
        if sigma <= 0:
            raise ValueError(f'sigma must be positive, got {sigma}')
        self.tau = tau
        self.gumbel = gumbel
        self.threshold = threshold
        self.loss_weight = loss_weight
        self._loss_name = loss_name
        self.register_buffer(
            'kernel1d', gaussian_kernel1d(sigma), persistent=False)

    def soft_prediction(self, seg_logits: torch.Tensor) -> torch.Tensor:
        """Gumbel softmax (training) or tempered softmax over classes."""
        logits = seg_logits.float()
        if self.gumbel and self.training:
            u = torch.rand_like(logits).clamp_(1e-10, 1. - 1e-7)
            logits = logits - torch.log(-torch.log(u))
        return F.softmax(logits / self.tau, dim=1)

    def forward(self,
                seg_logits: torch.Tensor,
                seg_label: torch.Tensor,
                ignore_index: int = 255,
                **kwargs) -> torch.Tensor:
        """Args:
            seg_logits (Tensor): B x K x H x W class logits.
            seg_label (Tensor): B x H x W labels (or B x 1 x H x W).
            ignore_index (int): Label of ignored pixels, as the decode head
                passes it. Default: 255.
        """
        num_classes = seg_logits.size(1)
        label, ignore = seg_label_with_ignore(seg_logits, seg_label,
                                              ignore_index,
                                              type(self).__name__)
        if bool(ignore.all()):
            return seg_logits.sum() * 0.
        onehot = F.one_hot(label.long(), num_classes).permute(0, 3, 1, 2)
        onehot = onehot.float() * (~ignore)[:, None].float()
        zeta = boundary_magnitude(
            self.soft_prediction(seg_logits), self.kernel1d)
        zeta_hat = boundary_magnitude(onehot, self.kernel1d)
        # pixels whose filter support touches an ignored pixel are excluded
        r = self.kernel1d.numel() // 2 + 1
        valid = F.max_pool2d(
            ignore[:, None].float(), 2 * r + 1, stride=1, padding=r) == 0
        err = (zeta - zeta_hat).abs()
        loss = err.new_zeros(())
        for support in (zeta.detach() > self.threshold, zeta_hat
                        > self.threshold):
            support = support & valid
            loss = loss + 0.5 * (err *
                                 support).sum() / support.sum().clamp(min=1)
        return self.loss_weight * loss.to(seg_logits.dtype)

    @property
    def loss_name(self) -> str:
        return self._loss_name
