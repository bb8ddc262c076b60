# Copyright (c) mmseg_gated contributors. All rights reserved.
import cv2
import numpy as np
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.aspp_head import ASPPModule
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor

from ..layers.gscnn_official_gated_conv import GSCNNOfficialGatedConvLayer
from .gscnn_head import GSCNNHead


@MODELS.register_module()
class GSCNNOfficialHead(GSCNNHead):
    """:class:`GSCNNHead` as the authors' released Gated-SCNN computes it
    (nv-tlabs/GSCNN, ``network/gscnn.py``, class ``GSCNN``).

    Exists for ``tools/model_converters/gscnn_official.py``, so that their
    released WiderResNet-38 checkpoint gives their outputs
    (``configs/gscnn/gscnn_wrn38-a2_8xb1-65k_cityscapes-800x800.py``).
    Where it computes differently from the paper head:

    - GCL gates: :class:`GSCNNOfficialGatedConvLayer`
      (BN, conv, ReLU, conv, BN, sigmoid).
    - Fusion ASPP: plain atrous ConvModules (not separable); the projection
      ``bottleneck`` and the fine-feature reduction ``c1_bottleneck`` are
      1x1 convs without norm, bias or activation; the decoder is two 3x3
      ConvModules.
    - Image gradients: ``Canny(low, high)`` of the network input itself,
      i.e. the *normalised* tensor, cast to uint8 the way numpy does it on
      x86-64 (truncation toward zero, then wrap-around modulo 256: -1.3 ->
      255). The paper head uses the de-normalised image (their step
      is a bug); this head keeps it so that converted weights see the
      inputs they were trained on. :class:`GSCNNEncoderDecoder` hands this
      head the normalised batch (``wants_normalized_image``).
    - The final upsampling of the logits to the input size uses
      ``align_corners=False`` (their last ``interpolate`` passes none);
      inner resizes follow ``align_corners`` (True in the config).

    Re-arrangements of the same weights are left to the converter: their
    decoder concatenates ``[fine, aspp]`` (ours ``[aspp, fine]``: the input
    channels of the first decoder conv are permuted) and their Canny map is
    0/255 (ours 0/1: the gradient weight of ``gradient_fuse`` is multiplied
    by 255). Set ``dropout_ratio=0`` (their classifier has none).

    Args:
        **kwargs: :class:`GSCNNHead` arguments.
    """

    wants_normalized_image = True

    def build_gcl(self, channels: int) -> nn.Module:
        return GSCNNOfficialGatedConvLayer(
            channels, channels, norm_cfg=self.shape_norm_cfg)

    def build_decoder(self, c1_in_channels: int, c1_channels: int) -> None:
        num_branches = len(self.dilations) + 2
        self.aspp_modules = ASPPModule(
            self.dilations,
            self.in_channels,
            self.channels,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)
        self.bottleneck = ConvModule(
            num_branches * self.channels,
            self.channels,
            1,
            bias=False,
            conv_cfg=self.conv_cfg,
            norm_cfg=None,
            act_cfg=None)
        if c1_in_channels > 0:
            self.c1_bottleneck = ConvModule(
                c1_in_channels,
                c1_channels,
                1,
                bias=False,
                conv_cfg=self.conv_cfg,
                norm_cfg=None,
                act_cfg=None)
        cfg = dict(
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)
        self.sep_bottleneck = nn.Sequential(
            ConvModule(
                self.channels + c1_channels,
                self.channels,
                3,
                padding=1,
                **cfg),
            ConvModule(self.channels, self.channels, 3, padding=1, **cfg))

    def image_gradients(self, img: Tensor) -> Tensor:
        """Canny edges (0/1, B x 1 x H x W) of the normalised input batch
        cast to uint8 with wrap-around, as the authors' forward."""
        arr = img.detach().cpu().double().permute(0, 2, 3, 1).numpy()
        arr = np.remainder(np.trunc(arr), 256).astype(np.uint8)
        lo, hi = self.canny_thresholds
        edges = np.stack(
            [cv2.Canny(np.ascontiguousarray(a), lo, hi) for a in arr])
        edges = torch.from_numpy(edges > 0)[:, None]
        return edges.to(device=img.device, dtype=img.dtype)

    def upsample_logits(self, seg_logits: Tensor, size) -> Tensor:
        return resize(
            seg_logits, size=size, mode='bilinear', align_corners=False)
