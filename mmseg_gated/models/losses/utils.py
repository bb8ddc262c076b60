# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Tuple

import torch


def seg_label_with_ignore(seg_logits: torch.Tensor, seg_label: torch.Tensor,
                          ignore_index: int,
                          loss_name: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """Check a (logits, labels) pair and split off the ignored pixels.

    Args:
        seg_logits (Tensor): N x C x H x W class logits.
        seg_label (Tensor): N x H x W (or N x 1 x H x W) labels.
        ignore_index (int): Label of ignored pixels.
        loss_name (str): Name used in error messages.

    Returns:
        tuple[Tensor, Tensor]: The N x H x W int64 labels with ignored pixels
        set to class 0, and the N x H x W boolean mask of ignored pixels.
    """
    if seg_label.dim() == 4:
        seg_label = seg_label[:, 0]
    if seg_logits.dim() != 4 or \
            seg_logits.shape[-2:] != seg_label.shape[-2:] or \
            seg_logits.shape[0] != seg_label.shape[0]:
        raise ValueError(f'{loss_name}: seg_logits {tuple(seg_logits.shape)} '
                         'must be N x C x H x W matching seg_label '
                         f'{tuple(seg_label.shape)}')
    num_classes = seg_logits.size(1)
    ignore = seg_label == ignore_index
    label = torch.where(ignore, torch.zeros_like(seg_label), seg_label).long()
    if label.numel() and (label.max() >= num_classes or label.min() < 0):
        raise ValueError(f'{loss_name}: seg_label values must be in '
                         f'[0, {num_classes}) or ignore_index={ignore_index}')
    return label, ignore
