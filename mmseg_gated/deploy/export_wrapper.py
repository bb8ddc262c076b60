# Copyright (c) mmseg_gated contributors. All rights reserved.
from contextlib import contextmanager
from typing import Optional

import torch
import torch.nn as nn
from torch import Tensor

OUTPUTS = ('logits', 'label')


def needs_gradient_input(segmentor: nn.Module) -> bool:
    """Whether ``segmentor`` runs an op that cannot be exported on the image
    itself: Gated-SCNN's Canny edges (OpenCV, on the CPU) of a head with
    ``use_gradients=True``. Such a model is exported with the edge map as a
    second input (:class:`SegmentorExportWrapper`)."""
    head = getattr(segmentor, 'decode_head', None)
    return bool(
        getattr(head, 'accepts_image', False)
        and getattr(head, 'use_gradients', False)
        and callable(getattr(head, 'image_gradients', None)))


def gradient_input(segmentor: nn.Module, inputs: Tensor) -> Tensor:
    """The Canny map that a Gated-SCNN model computes for ``inputs``.

    Calls the head's own ``image_gradients`` on the image the segmentor
    would hand it (the de-normalised batch, or the normalised one for a head
    with ``wants_normalized_image``, the authors' layout), so the exported
    model's second input matches what PyTorch computes inside.

    Args:
        segmentor (nn.Module): A :class:`GSCNNEncoderDecoder`.
        inputs (Tensor): The normalised batch, ``B x 3 x H x W``.

    Returns:
        Tensor: ``B x 1 x H x W`` edge map (0 or 1) in ``inputs``' dtype.
    """
    if not needs_gradient_input(segmentor):
        raise ValueError(
            f'{type(segmentor).__name__} computes no image gradients (a '
            'Gated-SCNN head with use_gradients=True does)')
    head = segmentor.decode_head
    if getattr(head, 'wants_normalized_image', False):
        img = inputs
    else:
        img = segmentor.denormalize(inputs)
    with torch.no_grad():
        return head.image_gradients(img)


@contextmanager
def gradients_from_input(head: nn.Module, gradients: Optional[Tensor]):
    """Within the block, ``head.image_gradients`` returns ``gradients``
    instead of running Canny. Only this head instance is touched (an
    instance attribute shadows the method, removed on exit); its class and
    every other module stay as they are."""
    if gradients is None:
        yield
        return

    def provided(img: Tensor) -> Tensor:
        return gradients.to(img.dtype)

    head.image_gradients = provided
    try:
        yield
    finally:
        del head.image_gradients


class SegmentorExportWrapper(nn.Module):
    """An mmseg segmentor's whole-image inference as a plain module, for
    ONNX export.

    ``forward(inputs)`` runs ``segmentor.encode_decode`` on the normalised
    batch (``B x 3 x H x W``, after the data preprocessor's mean/std and
    channel order) with the input's own size as ``img_shape``, so the
    result is what mmseg's whole inference computes before its
    post-processing: logits at the input size (``output='logits'``,
    ``B x C x H x W``), or the label map mmseg's ``postprocess_result``
    derives from them (``output='label'``, ``B x 1 x H x W`` int64: argmax
    over classes, or ``sigmoid > threshold`` for one output channel).

    Gated-SCNN's image gradients (Canny, OpenCV on the CPU) have no ONNX
    op: for a head with ``use_gradients=True`` the wrapper takes the edge
    map as a second input, ``forward(inputs, gradients)`` with
    ``gradients`` of ``B x 1 x H x W`` (:func:`gradient_input` computes it
    as the model does). Everything else, the edge output, its fusion with
    the gradients and the rest of the network, is in the graph. The paper
    classes are not modified: the map is handed over by shadowing
    ``image_gradients`` on the head instance during the call.

    Args:
        segmentor (nn.Module): An mmseg ``EncoderDecoder`` (or subclass:
            :class:`GSCNNEncoderDecoder`,
            :class:`HMSAEncoderDecoder`, ...) in eval mode.
        output (str): 'logits' or 'label'. Default: 'logits'.
    """

    def __init__(self, segmentor: nn.Module, output: str = 'logits') -> None:
        super().__init__()
        if output not in OUTPUTS:
            raise ValueError(f'output must be one of {OUTPUTS}, got '
                             f'{output!r}')
        if not callable(getattr(segmentor, 'encode_decode', None)):
            raise ValueError('segmentor must be an mmseg segmentor with '
                             f'encode_decode, got {type(segmentor).__name__}')
        self.segmentor = segmentor
        self.output = output
        self.needs_gradients = needs_gradient_input(segmentor)

    @property
    def input_names(self):
        return ['input', 'gradients'] if self.needs_gradients else ['input']

    @property
    def output_name(self) -> str:
        return self.output

    def forward(self,
                inputs: Tensor,
                gradients: Optional[Tensor] = None) -> Tensor:
        if self.needs_gradients and gradients is None:
            raise ValueError(
                'this Gated-SCNN model fuses Canny image gradients, which '
                'ONNX cannot compute: pass gradients (B x 1 x H x W, see '
                'mmseg_gated.deploy.gradient_input)')
        if not self.needs_gradients and gradients is not None:
            raise ValueError('gradients given, but the model uses none')
        # a torch.Size img_shape: mmseg's heads resize to it as in slide
        # inference, and the size stays symbolic in a traced graph
        metas = [dict(img_shape=inputs.shape[2:])] * inputs.size(0)
        head = self.segmentor.decode_head
        with gradients_from_input(head, gradients):
            logits = self.segmentor.encode_decode(inputs, metas)
        if self.output == 'logits':
            return logits
        if logits.size(1) > 1:
            return logits.argmax(dim=1, keepdim=True)
        threshold = getattr(self.segmentor.decode_head, 'threshold', 0.5)
        return (logits.sigmoid() > threshold).long()
