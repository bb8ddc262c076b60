# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional

from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import add_prefix
from torch import Tensor


@MODELS.register_module()
class GSCNNEncoderDecoder(EncoderDecoder):
    """Encoder-decoder that also hands the image to its decode head.

    Gated-SCNN's shape stream fuses image gradients (Canny edges) of the
    real image, so the head needs the image beside the backbone features.
    This segmentor de-normalises the preprocessed batch with the data
    preprocessor's ``mean``/``std`` (pixel values in [0, 255], colour order
    after its ``bgr_to_rgb``) and calls ``decode_head.loss/predict/forward``
    with ``img=...`` in training, whole and slide inference (each slide
    window gets its own crop, so gradients and features stay aligned) and
    ``_forward``. Heads without ``accepts_image = True`` are called as in
    :class:`EncoderDecoder`. A head with ``wants_normalized_image = True``
    (:class:`GSCNNOfficialHead`, the authors' layout) gets the normalised
    batch itself, as the authors' forward computes its gradients from it.

    Args:
        **kwargs: :class:`EncoderDecoder` arguments.
    """

    def denormalize(self, inputs: Tensor) -> Tensor:
        """Undo the preprocessor's normalisation: ``inputs * std + mean``."""
        dp = self.data_preprocessor
        if getattr(dp, '_enable_normalize', False):
            return inputs * dp.std.to(inputs) + dp.mean.to(inputs)
        return inputs

    def _head_kwargs(self, inputs: Tensor) -> dict:
        head = self.decode_head
        if not getattr(head, 'accepts_image', False):
            return dict()
        if getattr(head, 'wants_normalized_image', False):
            return dict(img=inputs)
        return dict(img=self.denormalize(inputs))

    def encode_decode(self, inputs: Tensor,
                      batch_img_metas: List[dict]) -> Tensor:
        x = self.extract_feat(inputs)
        return self.decode_head.predict(x, batch_img_metas, self.test_cfg,
                                        **self._head_kwargs(inputs))

    def loss(self, inputs: Tensor, data_samples) -> dict:
        x = self.extract_feat(inputs)
        losses = dict()
        loss_decode = self.decode_head.loss(x, data_samples, self.train_cfg,
                                            **self._head_kwargs(inputs))
        losses.update(add_prefix(loss_decode, 'decode'))
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        return losses

    def _forward(self, inputs: Tensor, data_samples: Optional[list] = None):
        x = self.extract_feat(inputs)
        return self.decode_head.forward(x, **self._head_kwargs(inputs))
