# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List

import torch
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS

from ..utils import HeadInputsMixin


@MODELS.register_module()
class GSTOAuxHead(HeadInputsMixin, BaseDecodeHead):
    """Loss on a prediction the backbone already made.

    GSTO-HRNet's supervised gates (GSTO Eq. 3-4) predict class scores inside
    the backbone, because the gates are computed from them; the backbone
    returns those logits after its features (indices 4 and 5 for the
    stage-2 and stage-3 predictions). This head picks one with ``in_index``
    and applies ``loss_decode`` to it through mmseg's usual
    ``loss_by_feat`` (resize to the label, ignore index, sampler), so the
    auxiliary losses are configured like any mmseg auxiliary head:

    .. code-block:: python

        auxiliary_head=[
            dict(type='GSTOAuxHead', in_index=4, num_classes=19,
                 loss_decode=dict(type='CrossEntropyLoss', loss_weight=0.3)),
            dict(type='GSTOAuxHead', in_index=5, num_classes=19,
                 loss_decode=dict(type='CrossEntropyLoss', loss_weight=0.5)),
        ]

    It has no parameters (``conv_seg`` of BaseDecodeHead is removed).

    Args:
        num_classes (int): Number of classes (channels of the picked logits).
        in_index (int): Index of the logits in the backbone outputs.
            Default: -1.
        **kwargs: Other arguments of BaseDecodeHead (loss_decode,
            ignore_index, align_corners, sampler, ...).
    """

    def __init__(self, num_classes: int, in_index: int = -1, **kwargs) -> None:
        if not isinstance(in_index, int):
            raise TypeError(f'in_index must be an int, got {in_index!r}')
        for key in ('in_channels', 'channels'):
            kwargs.pop(key, None)
        kwargs.setdefault('init_cfg', None)
        kwargs['dropout_ratio'] = 0
        kwargs['input_transform'] = None
        super().__init__(
            in_channels=num_classes,
            channels=num_classes,
            num_classes=num_classes,
            in_index=in_index,
            **kwargs)
        del self.conv_seg
        self.dropout = None

    def forward(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        """Return the picked logits unchanged."""
        logits = self._transform_inputs(inputs)
        if not torch.is_tensor(logits) or logits.dim() != 4 \
                or logits.size(1) != self.out_channels:
            shape = tuple(logits.shape) if torch.is_tensor(logits) else logits
            raise ValueError(
                f'GSTOAuxHead expects B x {self.out_channels} x H x W logits '
                f'at in_index={self.in_index}, got {shape}; is the backbone '
                'GSTOHRNet with num_classes set?')
        return logits
