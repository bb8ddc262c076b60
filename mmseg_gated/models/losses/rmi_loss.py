# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

_CLIP_MIN = 1e-6  # added to the probabilities
_POS_ALPHA = 5e-4  # ridge on the covariance matrices
_LOG_EPS = 1e-8  # added to the Cholesky diagonal inside the log


def _log_det_cholesky(mat: Tensor, ridge: float) -> Tensor:
    """``log det(mat + ridge I)`` as ``2 sum_i log(L_ii + 1e-8)`` of the
    Cholesky factor ``L`` (the authors' formula).

    A matrix that is not numerically positive definite is factorised again
    with a ten times larger ridge (up to five times); the factorisation that
    is used never contains NaN, so neither do the gradients."""
    eye = torch.eye(mat.size(-1), dtype=mat.dtype, device=mat.device)
    ridges = torch.full(
        mat.shape[:-2], ridge, dtype=mat.dtype, device=mat.device)
    for _ in range(6):
        chol, info = torch.linalg.cholesky_ex(mat +
                                              ridges[..., None, None] * eye)
        bad = info != 0
        if not bool(bad.any()):
            break
        ridges = torch.where(bad, ridges * 10, ridges)
    diag = torch.diagonal(chol, dim1=-2, dim2=-1)
    diag = torch.nan_to_num(diag, nan=1.0).clamp_min(0.0)
    return 2.0 * torch.log(diag + _LOG_EPS).sum(-1)


@MODELS.register_module()
class RMILoss(nn.Module):
    """Region Mutual Information loss, combined with per-class BCE.

    Zhao et al., "Region Mutual Information Loss for Semantic Segmentation"
    (NeurIPS 2019), Eq. 13-16, as hierarchical multi-scale attention uses it
    (Tao et al.: "RMI as the primary loss function"), with the reductions of
    the authors' code (NVIDIA/semantic-segmentation ``loss/rmi.py``). Per
    image ``n`` and class ``c``: one-hot labels ``Y`` and sigmoid
    probabilities ``P`` are average-pooled (``pool_size``, ``pool_stride``,
    padding ``pool_size // 2``); every position gives the ``d = radius^2``
    values of its ``radius x radius`` neighbourhood; with the centred
    covariances ``S_Y``, ``S_P`` and ``S_YP`` over positions (Eq. 15-16),

    ``RMI_nc = 0.5 log det(S_Y - S_YP (S_P + eps I)^-1 S_YP^T + eps I)``

    (float64, Cholesky, ridge ``eps = 5e-4``). The RMI term is
    ``sum_c mean_n RMI_nc / d``: averaged over the images and **summed over
    the classes**, as the authors do. The returned loss is
    ``loss_weight * (bce_weight * BCE + (1 - bce_weight) * RMI)``
    (``lambda = 0.5`` in the authors' code), BCE summed over classes and
    divided by the number of valid pixels + 1. Ignored pixels
    (``ignore_index`` or a label outside ``[0, C)``) get zero label and zero
    probability before pooling. The loss is computed in float64 for float64
    logits, otherwise in float32.

    Degenerate inputs stay finite: a batch without any valid pixel returns
    exactly 0 (with zero gradients); a single-class batch gives singular
    covariances, which the ridge (grown if Cholesky still fails) keeps
    positive definite; an image smaller than the pooled neighbourhood gives
    no RMI term (BCE only).

    Args:
        radius (int): Side of the square neighbourhood. Default: 3.
        pool_size (int): Average-pool kernel. Default: 4.
        pool_stride (int): Average-pool stride (1 disables pooling).
            Default: 4.
        pool_mode (str): Only 'avg' (average pooling, the authors' default)
            is supported. Default: 'avg'.
        bce_weight (float): ``lambda``: weight of BCE, RMI gets
            ``1 - lambda``. Default: 0.5.
        with_rmi (bool): False returns the BCE term only (the authors turn
            RMI off for auxiliary and single-scale terms). Default: True.
        loss_weight (float): Multiplies the loss. Default: 1.0.
        loss_name (str): Name in the loss dict; must start with ``loss_``.
            Default: 'loss_rmi'.
    """

    def __init__(self,
                 radius: int = 3,
                 pool_size: int = 4,
                 pool_stride: int = 4,
                 pool_mode: str = 'avg',
                 bce_weight: float = 0.5,
                 with_rmi: bool = True,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_rmi') -> None:
        super().__init__()
        if radius < 1:
            raise ValueError(f'radius must be >= 1, got {radius}')
        if pool_size < 1 or pool_stride < 1:
            raise ValueError('pool_size and pool_stride must be >= 1, got '
                             f'{pool_size} and {pool_stride}')
        if pool_mode != 'avg':
            raise ValueError("pool_mode must be 'avg' (average pooling), "
                             f'got {pool_mode!r}')
        if not 0.0 <= bce_weight <= 1.0:
            raise ValueError(f'bce_weight must be in [0, 1], got {bce_weight}')
        if not loss_name.startswith('loss_'):
            raise ValueError(
                f"loss_name must start with 'loss_', got {loss_name!r}")
        self.radius = radius
        self.pool_size = pool_size
        self.pool_stride = pool_stride
        self.bce_weight = bce_weight
        self.with_rmi = with_rmi
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        return self._loss_name

    def _pool(self, x: Tensor) -> Tensor:
        if self.pool_stride <= 1:
            return x
        return F.avg_pool2d(x, self.pool_size, self.pool_stride,
                            self.pool_size // 2)

    def _neighbourhoods(self, x: Tensor) -> Tensor:
        """``B x C x H x W`` -> ``B x C x d x L``: the ``d = r^2`` shifted
        copies of every valid ``r x r`` window position."""
        r = self.radius
        h, w = x.shape[2:]
        nh, nw = h - r + 1, w - r + 1
        cols = [
            x[:, :, y:y + nh, xx:xx + nw] for y in range(r) for xx in range(r)
        ]
        b, c = x.shape[:2]
        return torch.stack(cols, dim=2).reshape(b, c, r * r, -1)

    def rmi_lower_bound(self, labels: Tensor, probs: Tensor) -> Tensor:
        """RMI term: per class, mean over images of ``RMI_nc / d``, summed
        over classes (float64).

        Args:
            labels (Tensor): ``B x C x H x W`` one-hot labels (0 at ignored).
            probs (Tensor): ``B x C x H x W`` probabilities.
        """
        labels = self._pool(labels)
        probs = self._pool(probs)
        d = self.radius * self.radius
        if min(labels.shape[2:]) < self.radius:
            return probs.sum().double() * 0.0
        la = self._neighbourhoods(labels.double())
        pr = self._neighbourhoods(probs.double())
        la = la - la.mean(dim=3, keepdim=True)
        pr = pr - pr.mean(dim=3, keepdim=True)
        la_cov = la @ la.transpose(2, 3)
        pr_cov = pr @ pr.transpose(2, 3)
        la_pr_cov = la @ pr.transpose(2, 3)
        eye = torch.eye(d, dtype=pr.dtype, device=pr.device)
        # S_YP (S_P + eps I)^-1 S_YP^T, through a solve (S_P is symmetric)
        sol = torch.linalg.solve(pr_cov + _POS_ALPHA * eye,
                                 la_pr_cov.transpose(2, 3))
        appro_var = la_cov - la_pr_cov @ sol
        appro_var = 0.5 * (appro_var + appro_var.transpose(2, 3))
        rmi = 0.5 * _log_det_cholesky(appro_var, _POS_ALPHA)  # B x C
        return (rmi.mean(dim=0) / d).sum()

    def forward(self,
                cls_score: Tensor,
                label: Tensor,
                weight: Optional[Tensor] = None,
                ignore_index: int = 255,
                **kwargs) -> Tensor:
        """Loss of ``B x C x H x W`` logits against ``B x H x W`` labels.

        ``weight`` (per-pixel, e.g. from a pixel sampler) multiplies the BCE
        term only."""
        if cls_score.dim() != 4:
            raise ValueError('RMILoss expects B x C x H x W logits, got '
                             f'{tuple(cls_score.shape)}')
        if label.dim() == 4 and label.size(1) == 1:
            label = label[:, 0]
        if label.shape != cls_score.shape[:1] + cls_score.shape[2:]:
            raise ValueError(
                f'RMILoss: label shape {tuple(label.shape)} does not match '
                f'logits {tuple(cls_score.shape)} (expected B x H x W)')
        num_classes = cls_score.size(1)
        logits = cls_score if cls_score.dtype == torch.float64 \
            else cls_score.float()
        label = label.long()
        valid = (label != ignore_index) & (label >= 0) & (label < num_classes)
        mask = valid.unsqueeze(1).to(logits.dtype)
        # one-hot (0 at ignored pixels) written straight into the loss dtype
        onehot = torch.zeros_like(logits).scatter_(
            1, (label.clamp(0, num_classes - 1) * valid).unsqueeze(1), mask)
        pix_weight = mask if weight is None else \
            mask * weight.to(logits.dtype).reshape(mask.shape)
        bce = F.binary_cross_entropy_with_logits(
            logits, onehot, reduction='none')
        # an all-ignore batch gives exactly 0 here (0 / (0 + 1))
        num_valid = valid.sum().to(logits.dtype)
        bce = (bce * pix_weight).sum() / (num_valid + 1.0)
        if not self.with_rmi or not bool(valid.any()):
            # no valid pixel: no RMI term either (the covariances would only
            # hold the ridge, a constant that misleads the logs)
            return self.loss_weight * bce
        probs = torch.sigmoid(logits) * mask + _CLIP_MIN
        rmi = self.rmi_lower_bound(onehot, probs).to(logits.dtype)
        loss = self.bce_weight * bce + (1.0 - self.bce_weight) * rmi
        return self.loss_weight * loss
