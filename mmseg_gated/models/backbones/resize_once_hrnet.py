# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Iterable

import torch.nn as nn
from mmseg.models.backbones import HRNet
from mmseg.models.backbones.hrnet import HRModule
from mmseg.models.utils import Upsample
from mmseg.registry import MODELS


def resize_fuse_once(modules: Iterable[HRModule]) -> None:
    """Make the up-fuse paths of HR modules resize once, in place.

    mmseg's :class:`~mmseg.models.backbones.hrnet.HRModule` builds the path
    from a lower-resolution branch ``j`` to branch ``i`` as conv1x1 + BN +
    ``Upsample(scale_factor=2 ** (j - i))`` and its forward then resizes the
    result to branch ``i``'s size. The official HRNet code (which the
    authors of hierarchical multi-scale attention and of GSTO build on)
    applies conv1x1 + BN and one bilinear resize (``align_corners=False``)
    straight to branch ``i``'s size. Both agree when the input sides are
    multiples of 32; otherwise the upsampled size ``2 ** (j - i) * h_j``
    overshoots ``h_i`` and the two-step resize differs from the one-step.

    This drops the trailing ``Upsample`` of every such path: the conv and BN
    keep their indices (``fuse_layers.i.j.0`` / ``.1``), so checkpoints load
    unchanged, and the module's forward (mmseg's or a subclass's that also
    resizes to ``x[i]``'s size) does the single resize.

    Args:
        modules (Iterable[HRModule]): The HR modules of a stage.
    """
    for module in modules:
        if module.fuse_layers is None:
            continue
        for row in module.fuse_layers:
            for j, path in enumerate(row):
                if isinstance(path, nn.Sequential) and \
                        isinstance(path[-1], (Upsample, nn.Upsample)):
                    row[j] = nn.Sequential(*list(path)[:-1])


@MODELS.register_module()
class ResizeOnceHRNet(HRNet):
    """HRNet whose fuse layers resize once, as the official HRNet code.

    Same architecture, arguments and state-dict keys as
    :class:`mmseg.models.backbones.HRNet`; only the cross-resolution fuse
    paths differ: a lower-resolution branch is resized in one bilinear step
    to the target branch's size (see :func:`resize_fuse_once`) instead of
    mmseg's ``2 ** (j - i)`` upsampling followed by a resize. Outputs are
    identical to mmseg's HRNet when every input side is a multiple of 32.

    Use it for checkpoints trained with the official HRNet code, e.g. the
    HRNet-OCR multi-scale attention model converted by
    ``tools/model_converters/hmsa_mscale_ocr.py``; mmseg's own HRNet
    checkpoints keep :class:`~mmseg.models.backbones.HRNet`.

    Args:
        **kwargs: The arguments of :class:`mmseg.models.backbones.HRNet`.
    """

    def _make_stage(self, layer_config, in_channels, multiscale_output=True):
        """mmseg's stage, with the up-fuse paths resizing once."""
        stage, in_channels = super()._make_stage(
            layer_config, in_channels, multiscale_output=multiscale_output)
        resize_fuse_once(stage)
        return stage, in_channels
