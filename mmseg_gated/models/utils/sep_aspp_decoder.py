# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Sequence

import torch
from mmseg.models.utils import resize
from torch import Tensor


class SepASPPDecoderMixin:
    """The DeepLabV3+ decoder forward, in steps that a head can extend.

    DeepLabV3+ (Chen et al., ECCV 2018, Fig. 2), as mmseg's
    :class:`~mmseg.models.decode_heads.DepthwiseSeparableASPPHead` computes
    it: the ASPP output ``bottleneck(cat[image_pool(x), atrous_i(x)])`` is
    upsampled to the fine feature ``c1_bottleneck(inputs[c1_in_index])``,
    concatenated with it, refined by ``sep_bottleneck`` and classified by
    ``cls_seg``. The heads of this package that change one step use these
    methods instead of a copy of that forward:

    - :meth:`aspp` takes ``extra`` branches, placed after image pooling
      (Gated-SCNN's boundary branch, ``GSCNNHead``);
    - :meth:`fuse_fine` is the identity here; a head that fuses the fine
      feature with the ASPP output before the concatenation (DDSM's
      ``x~_2 = fusion(c1, aspp)``) overrides it;
    - :meth:`decoder_concat` returns the stride-4 concatenation, which the
      multi-scale attention head (``HMSASepASPPHead``) also feeds to its
      attention.

    Use it between :class:`HeadInputsMixin` and the mmseg head::

        class Head(HeadInputsMixin, SepASPPDecoderMixin,
                   DepthwiseSeparableASPPHead)

    It uses the modules that head builds (``image_pool``, ``aspp_modules``,
    ``bottleneck``, ``c1_bottleneck``, ``sep_bottleneck``). The fine feature
    is ``inputs[self.c1_in_index]``: 0 as in mmseg unless the head sets it.
    """

    c1_in_index = 0

    def aspp(self, x: Tensor, extra: Sequence[Tensor] = ()) -> Tensor:
        """``bottleneck(cat[image_pool(x), *extra, *aspp_modules(x)])``;
        ``extra`` tensors must already be ``channels`` wide at x's size."""
        outs = [
            resize(
                self.image_pool(x),
                size=x.size()[2:],
                mode='bilinear',
                align_corners=self.align_corners)
        ]
        outs.extend(extra)
        outs.extend(self.aspp_modules(x))
        return self.bottleneck(torch.cat(outs, dim=1))

    def fuse_fine(self, fine: Tensor, aspp_out: Tensor) -> Tensor:
        """The reduced fine feature as it enters the concatenation, given
        the ASPP output (before its upsampling). Identity here."""
        return fine

    def decoder_concat(self, inputs: List[Tensor], extra=()) -> Tensor:
        """``cat[up(aspp), fuse_fine(c1_bottleneck(fine), aspp)]``, or the
        ASPP output alone when the head has no fine branch
        (``c1_in_channels=0``)."""
        output = self.aspp(self._transform_inputs(inputs), extra)
        if self.c1_bottleneck is None:
            return output
        fine = self.fuse_fine(
            self.c1_bottleneck(inputs[self.c1_in_index]), output)
        output = resize(
            input=output,
            size=fine.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)
        return torch.cat([output, fine], dim=1)

    def forward(self, inputs: List[Tensor]) -> Tensor:
        """Segmentation logits at the fine feature's resolution."""
        return self.cls_seg(self.sep_bottleneck(self.decoder_concat(inputs)))
