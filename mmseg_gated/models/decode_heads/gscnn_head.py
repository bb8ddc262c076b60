# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.backbones.resnet import BasicBlock
from mmseg.models.decode_heads.sep_aspp_head import DepthwiseSeparableASPPHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor

from mmseg_gated.datasets.transforms.boundary_band import boundary_band_torch
from ..layers.gated_conv import GatedConvLayer
from ..utils import HeadInputsMixin
from ..utils.sep_aspp_decoder import SepASPPDecoderMixin


@MODELS.register_module()
class GSCNNHead(HeadInputsMixin, SepASPPDecoderMixin,
                DepthwiseSeparableASPPHead):
    """Gated-SCNN head: shape stream, image gradients and fusion ASPP, then
    the DeepLabV3+ decoder (Takikawa et al., ICCV 2019, Fig. 2).

    Shape stream (at the input resolution): the feature
    ``inputs[shape_in_index]`` is upsampled to the image size (and reduced
    to ``shape_channels[0]`` by a 1x1 ConvModule if its width differs), then
    for each level ``t``: a residual :class:`BasicBlock`, a 1x1 conv to the
    next width of ``shape_channels`` (64 -> 32 -> 16 -> 8) and a
    :class:`GatedConvLayer` (Eq. 1-2) gated by the side output of
    ``inputs[gate_in_index[t]]`` (1x1 conv to one channel, upsampled). A 1x1
    conv gives the boundary logits; ``s = sigmoid(.)`` is supervised by the
    boundary BCE (Eq. 3). With ``use_gradients`` the Canny edges of the
    de-normalised image are concatenated with ``s``, mixed by a 1x1 conv and
    a sigmoid. The result enters the ASPP as an extra branch (1x1
    ConvModule to ``channels``) beside image pooling and the atrous
    branches (fusion module ``F_gamma``). The decoder is DeepLabV3+'s
    (:class:`SepASPPDecoderMixin`, the boundary branch as its ``extra``).

    The image reaches the head through :class:`GSCNNEncoderDecoder`
    (``forward(inputs, img)``); ``forward`` returns ``(seg_logits,
    edge_logits)``.

    Losses (``loss_by_feat``): ``loss_decode`` on the segmentation (Eq. 3,
    ``lambda_2``), ``loss_edge`` (class-balanced BCE, ``lambda_1 = 20``),
    ``loss_dual_boundary`` (Eq. 5, ``lambda_3``) and
    ``loss_dual_consistency`` (Eq. 6, ``lambda_4``); any of the last three
    may be None. The boundary target is ``gt_edge_map`` when the pipeline
    has :class:`GenerateBoundaryBand`, otherwise the same band is computed
    from ``gt_sem_seg`` on the fly.

    The authors' released layout (for their checkpoints) is
    :class:`GSCNNOfficialHead`; the hooks ``build_gcl``, ``build_decoder``,
    ``image_gradients`` and ``upsample_logits`` are where it differs.

    Args:
        shape_in_index (int): Index of the shape stream's input feature.
            Default: 0.
        shape_in_channels (int): Its channels. Default: 256.
        gate_in_index (Sequence[int]): Indices of the regular-stream
            features whose side outputs gate the GCLs. Default: (1, 2, 3).
        gate_in_channels (Sequence[int]): Their channels.
            Default: (512, 1024, 2048).
        shape_channels (Sequence[int]): Widths of the shape stream, one more
            than the number of GCLs. Default: (64, 32, 16, 8).
        c1_in_index (int): Index of the decoder's fine feature. Default: 0.
        use_gradients (bool): Fuse Canny image gradients with the boundary
            map (Table 3 '+ Gradients'). Default: True.
        canny_thresholds (tuple[int, int]): Canny hysteresis thresholds.
            Default: (10, 100) (authors).
        edge_radius (float): Radius of the on-the-fly boundary band.
            Default: 2.
        loss_edge (dict, optional): Boundary loss.
            Default: ``BoundaryBCELoss`` with weight 20.
        loss_dual_boundary (dict, optional): Eq. 5 regulariser.
            Default: ``DualTaskBoundaryLoss`` with weight 1.
        loss_dual_consistency (dict, optional): Eq. 6 regulariser.
            Default: ``DualTaskConsistencyLoss`` with weight 1.
        **kwargs: :class:`DepthwiseSeparableASPPHead` arguments
            (``in_channels``, ``channels``, ``dilations``,
            ``c1_in_channels``, ``c1_channels``, ``num_classes``, ...).
    """

    accepts_image = True
    # the segmentor hands over the de-normalised image (pixels in [0, 255])
    wants_normalized_image = False

    def __init__(self,
                 shape_in_index: int = 0,
                 shape_in_channels: int = 256,
                 gate_in_index: Sequence[int] = (1, 2, 3),
                 gate_in_channels: Sequence[int] = (512, 1024, 2048),
                 shape_channels: Sequence[int] = (64, 32, 16, 8),
                 c1_in_index: int = 0,
                 use_gradients: bool = True,
                 canny_thresholds: Tuple[int, int] = (10, 100),
                 edge_radius: float = 2,
                 loss_edge: Optional[dict] = dict(
                     type='BoundaryBCELoss', loss_weight=20.0),
                 loss_dual_boundary: Optional[dict] = dict(
                     type='DualTaskBoundaryLoss', loss_weight=1.0),
                 loss_dual_consistency: Optional[dict] = dict(
                     type='DualTaskConsistencyLoss', loss_weight=1.0),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        gate_in_index = tuple(gate_in_index)
        gate_in_channels = tuple(gate_in_channels)
        shape_channels = tuple(shape_channels)
        if len(shape_channels) < 2:
            raise ValueError('shape_channels needs at least two widths, got '
                             f'{shape_channels}')
        if len(gate_in_index) != len(shape_channels) - 1 or \
                len(gate_in_channels) != len(gate_in_index):
            raise ValueError(
                'gate_in_index and gate_in_channels need one entry per GCL '
                f'(len(shape_channels) - 1 = {len(shape_channels) - 1}), got '
                f'{gate_in_index} and {gate_in_channels}')
        if len(canny_thresholds) != 2:
            raise ValueError('canny_thresholds must be (low, high), got '
                             f'{canny_thresholds}')
        self.shape_in_index = shape_in_index
        self.gate_in_index = gate_in_index
        self.c1_in_index = c1_in_index
        self.use_gradients = use_gradients
        self.canny_thresholds = tuple(canny_thresholds)
        self.edge_radius = edge_radius
        cfg = dict(conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg)
        # residual blocks (and the authors' gates) need a norm even if the
        # head has none
        self.shape_norm_cfg = self.norm_cfg or dict(type='BN')

        # ---- shape stream
        if shape_in_channels != shape_channels[0]:
            self.shape_in = ConvModule(
                shape_in_channels,
                shape_channels[0],
                1,
                act_cfg=self.act_cfg,
                **cfg)
        else:
            self.shape_in = nn.Identity()
        self.shape_blocks = nn.ModuleList()
        self.shape_reduces = nn.ModuleList()
        self.gcls = nn.ModuleList()
        self.side_outputs = nn.ModuleList()
        for i, gate_ch in enumerate(gate_in_channels):
            c_in, c_out = shape_channels[i], shape_channels[i + 1]
            self.shape_blocks.append(
                BasicBlock(
                    c_in,
                    c_in,
                    conv_cfg=self.conv_cfg,
                    norm_cfg=self.shape_norm_cfg))
            self.shape_reduces.append(nn.Conv2d(c_in, c_out, 1))
            self.gcls.append(self.build_gcl(c_out))
            self.side_outputs.append(nn.Conv2d(gate_ch, 1, 1))
        self.edge_out = nn.Conv2d(shape_channels[-1], 1, 1, bias=False)
        if use_gradients:
            self.gradient_fuse = nn.Conv2d(2, 1, 1, bias=False)

        # ---- fusion ASPP: image pool, edge branch, atrous branches
        self.edge_branch = ConvModule(
            1, self.channels, 1, act_cfg=self.act_cfg, **cfg)
        self.build_decoder(kwargs['c1_in_channels'], kwargs['c1_channels'])

        self.loss_edge = MODELS.build(loss_edge) if loss_edge else None
        self.loss_dual_boundary = MODELS.build(
            loss_dual_boundary) if loss_dual_boundary else None
        self.loss_dual_consistency = MODELS.build(
            loss_dual_consistency) if loss_dual_consistency else None

    # ------------------------------------------------------------------
    def build_gcl(self, channels: int) -> nn.Module:
        """One GCL of the shape stream (Eq. 1-2)."""
        return GatedConvLayer(channels, channels)

    def build_decoder(self, c1_in_channels: int, c1_channels: int) -> None:
        """The projection of the fusion ASPP: one more branch (the boundary
        map) than mmseg's. The separable atrous branches, the fine-feature
        reduction and the separable decoder convs stay mmseg's
        (:class:`DepthwiseSeparableASPPHead`)."""
        num_branches = len(self.dilations) + 2
        self.bottleneck = ConvModule(
            num_branches * self.channels,
            self.channels,
            3,
            padding=1,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)

    def image_gradients(self, img: Tensor) -> Tensor:
        """Canny edges (0/1, B x 1 x H x W) of an image batch in [0, 255]."""
        arr = img.detach().float().clamp(0, 255).round().to(torch.uint8)
        arr = arr.permute(0, 2, 3, 1).cpu().numpy()
        lo, hi = self.canny_thresholds
        edges = np.stack(
            [cv2.Canny(np.ascontiguousarray(a), lo, hi) for a in arr])
        edges = torch.from_numpy(edges > 0)[:, None]
        return edges.to(device=img.device, dtype=img.dtype)

    def _check_inputs(self, inputs, img) -> None:
        if img is None:
            raise ValueError(
                'GSCNNHead needs the input image (forward(inputs, img)); '
                'use it inside GSCNNEncoderDecoder')
        if img.dim() != 4 or img.size(0) != inputs[0].size(0):
            raise ValueError('img must be B x C x H x W with the batch size '
                             f'of the features, got {tuple(img.shape)}')

    def forward_shape(self, inputs: List[Tensor],
                      img: Tensor) -> Tuple[Tensor, Tensor]:
        """Shape stream: boundary logits (B x 1 x H x W) and the map fed to
        the fusion ASPP."""
        size = img.shape[2:]
        s = self.shape_in(inputs[self.shape_in_index])
        s = resize(
            s, size=size, mode='bilinear', align_corners=self.align_corners)
        for block, reduce, gcl, side, idx in zip(self.shape_blocks,
                                                 self.shape_reduces, self.gcls,
                                                 self.side_outputs,
                                                 self.gate_in_index):
            s = reduce(block(s))
            r = resize(
                side(inputs[idx]),
                size=size,
                mode='bilinear',
                align_corners=self.align_corners)
            s = gcl(s, r)
        edge_logits = self.edge_out(s)
        acts = torch.sigmoid(edge_logits)
        if self.use_gradients:
            grads = self.image_gradients(img)
            acts = torch.sigmoid(
                self.gradient_fuse(torch.cat([acts, grads], dim=1)))
        return edge_logits, acts

    def forward(self,
                inputs: List[Tensor],
                img: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        """Return ``(seg_logits, edge_logits)``."""
        self._check_inputs(inputs, img)
        edge_logits, acts = self.forward_shape(inputs, img)
        size = self._transform_inputs(inputs).shape[2:]
        edge = self.edge_branch(
            resize(
                acts,
                size=size,
                mode='bilinear',
                align_corners=self.align_corners))
        output = self.sep_bottleneck(self.decoder_concat(inputs, extra=[edge]))
        return self.cls_seg(output), edge_logits

    def loss(self,
             inputs: List[Tensor],
             batch_data_samples,
             train_cfg,
             img: Optional[Tensor] = None) -> dict:
        seg_logits = self.forward(inputs, img)
        return self.loss_by_feat(seg_logits, batch_data_samples)

    def predict(self,
                inputs: List[Tensor],
                batch_img_metas: List[dict],
                test_cfg,
                img: Optional[Tensor] = None) -> Tensor:
        seg_logits, _ = self.forward(inputs, img)
        return self.predict_by_feat(seg_logits, batch_img_metas)

    def upsample_logits(self, seg_logits: Tensor, size) -> Tensor:
        """The final upsampling of the segmentation logits to ``size``."""
        return resize(
            seg_logits,
            size=size,
            mode='bilinear',
            align_corners=self.align_corners)

    def predict_by_feat(self, seg_logits: Tensor,
                        batch_img_metas: List[dict]) -> Tensor:
        """Logits at the (padded) input size, as mmseg's heads return."""
        meta = batch_img_metas[0]
        if isinstance(meta['img_shape'], torch.Size):  # slide inference
            size = meta['img_shape']
        elif 'pad_shape' in meta:
            size = meta['pad_shape'][:2]
        else:
            size = meta['img_shape']
        return self.upsample_logits(seg_logits, size)

    def _stack_edge_gt(self, batch_data_samples, seg_label: Tensor) -> Tensor:
        if all('gt_edge_map' in s for s in batch_data_samples):
            edge = torch.stack(
                [s.gt_edge_map.data for s in batch_data_samples])
            return edge[:, 0].to(seg_label.device)
        return boundary_band_torch(seg_label, self.edge_radius,
                                   self.ignore_index)

    def loss_by_feat(self, seg_logits: Tuple[Tensor, Tensor],
                     batch_data_samples) -> dict:
        """Segmentation loss (mmseg's) plus Eq. 3 BCE and Eq. 5-6."""
        seg, edge_logits = seg_logits
        seg_label = self._stack_batch_gt(batch_data_samples)[:, 0]
        size = seg_label.shape[-2:]
        # upsampled once here; mmseg's resize in the parent is then a no-op
        seg = self.upsample_logits(seg, size)
        losses = super().loss_by_feat(seg, batch_data_samples)
        if edge_logits.shape[-2:] != size:
            edge_logits = resize(
                edge_logits,
                size=size,
                mode='bilinear',
                align_corners=self.align_corners)
        ignore = dict(ignore_index=self.ignore_index)
        if self.loss_edge is not None:
            edge_label = self._stack_edge_gt(batch_data_samples, seg_label)
            losses[self.loss_edge.loss_name] = self.loss_edge(
                edge_logits, edge_label, **ignore)
        if self.loss_dual_boundary is not None:
            losses[self.loss_dual_boundary.loss_name] = \
                self.loss_dual_boundary(seg, seg_label, **ignore)
        if self.loss_dual_consistency is not None:
            losses[self.loss_dual_consistency.loss_name] = \
                self.loss_dual_consistency(seg, seg_label,
                                           torch.sigmoid(edge_logits),
                                           **ignore)
        return losses
