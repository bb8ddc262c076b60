# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Wider ResNet-38 ("A2" variant) with pre-activation identity blocks.

Used by GFF (Table 8, DeepLabV3+ + GFF on WRN-38) and Gated-SCNN (Table 1,
WRN-38 regular stream). The module and parameter names mirror the layout of
the authors' checkpoints (``mod1.conv1``, ``mod2.block1.bn1.0``,
``mod2.block1.convs.conv1``, ``...proj_conv``) so that their weights load
after stripping the ``module.`` prefix (see
``tools/model_converters/gff_wrn38_decouple.py``).
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch.nn.modules.batchnorm import _BatchNorm

# Per residual module (mod2..mod7): internal channels of the block.
# Two values: basic block of two 3x3 convs; three: bottleneck 1x1-3x3-1x1.
WRN_A2_CHANNELS = ((128, 128), (256, 256), (512, 512), (512, 1024),
                   (512, 1024, 2048), (1024, 2048, 4096))

# (stride of the first block, dilation) for mod4..mod7 per output stride.
# Output stride 8 is the authors' ``dilation=True`` setting.
_STRIDE_DILATION = {
    8: ((2, 1), (1, 2), (1, 4), (1, 4)),
    16: ((2, 1), (2, 1), (1, 2), (1, 2)),
    32: ((2, 1), (2, 1), (2, 1), (1, 1)),
}


def _norm_act(channels: int, norm_cfg: dict, act_cfg: dict) -> nn.Sequential:
    """Norm followed by activation, as one ``nn.Sequential`` (keys ``0``/``1``
    like the authors' ``bnrelu``)."""
    return nn.Sequential(
        build_norm_layer(norm_cfg, channels)[1],
        build_activation_layer(act_cfg))


class IdentityResidualBlock(BaseModule):
    """Pre-activation residual block of Wider ResNet.

    ``out = convs(bn1(x)) + shortcut`` where ``shortcut`` is ``x`` or, when
    the stride or the width changes, ``proj_conv(bn1(x))`` (1x1 conv).

    Args:
        in_channels (int): Input channels.
        channels (Sequence[int]): Two values (two 3x3 convs) or three values
            (bottleneck 1x1, 3x3, 1x1).
        stride (int): Stride of the first conv and of the projection.
            Default: 1.
        dilation (int): Dilation of the 3x3 convs. Default: 1.
        dropout (float): Dropout2d probability before the last conv;
            0 disables it. Default: 0.
        norm_cfg (dict): Norm layer config. Default: dict(type='BN').
        act_cfg (dict): Activation config. Default: dict(type='ReLU').
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 in_channels: int,
                 channels: Sequence[int],
                 stride: int = 1,
                 dilation: int = 1,
                 dropout: float = 0.,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(channels) not in (2, 3):
            raise ValueError('channels must have two or three values, got '
                             f'{tuple(channels)}')
        self.bn1 = _norm_act(in_channels, norm_cfg, act_cfg)
        layers = []
        if len(channels) == 2:
            layers += [
                ('conv1',
                 nn.Conv2d(
                     in_channels,
                     channels[0],
                     3,
                     stride,
                     dilation,
                     dilation,
                     bias=False)),
                ('bn2', _norm_act(channels[0], norm_cfg, act_cfg)),
            ]
            if dropout > 0:
                layers.append(('dropout', nn.Dropout2d(dropout)))
            layers.append(('conv2',
                           nn.Conv2d(
                               channels[0],
                               channels[1],
                               3,
                               1,
                               dilation,
                               dilation,
                               bias=False)))
        else:
            layers += [
                ('conv1',
                 nn.Conv2d(in_channels, channels[0], 1, stride, bias=False)),
                ('bn2', _norm_act(channels[0], norm_cfg, act_cfg)),
                ('conv2',
                 nn.Conv2d(
                     channels[0],
                     channels[1],
                     3,
                     1,
                     dilation,
                     dilation,
                     bias=False)),
                ('bn3', _norm_act(channels[1], norm_cfg, act_cfg)),
            ]
            if dropout > 0:
                layers.append(('dropout', nn.Dropout2d(dropout)))
            layers.append(
                ('conv3', nn.Conv2d(channels[1], channels[2], 1, bias=False)))
        self.convs = nn.Sequential()
        for name, layer in layers:
            self.convs.add_module(name, layer)
        if stride != 1 or in_channels != channels[-1]:
            self.proj_conv = nn.Conv2d(
                in_channels, channels[-1], 1, stride, bias=False)
        else:
            self.proj_conv = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = self.bn1(x)
        shortcut = x if self.proj_conv is None else self.proj_conv(pre)
        return self.convs(pre) + shortcut


@MODELS.register_module()
class WiderResNet(BaseModule):
    """Wider ResNet, variant A2 (WRN-38 by default), for segmentation.

    Wu et al., "Wider or Deeper: Revisiting the ResNet Model for Visual
    Recognition" (model A2, the WRN-38 used by the GFF paper, Table 8, and
    Gated-SCNN, Table 1). ``mod1`` is a 3x3 conv (64 channels, stride 1);
    max-pools (3x3, stride 2) precede ``mod2`` and ``mod3``; ``mod4`` starts
    with a stride-2 block; ``mod5``-``mod7`` are dilated at output stride 8.
    Blocks are pre-activation, so every output is the sum of a residual
    branch and a shortcut, not normalised. The ImageNet classifier and its
    final ``bn_out`` are not built (the authors' segmentation nets drop
    them too).

    ====  =======  =========================  =================
    mod   channels stride (output_stride=8)   dilation (OS 8)
    ====  =======  =========================  =================
    1     64       1                          1
    2     128      2                          1
    3     256      4                          1
    4     512      8                          1
    5     1024     8                          2
    6     2048     8                          4
    7     4096     8                          4
    ====  =======  =========================  =================

    Args:
        structure (Sequence[int]): Blocks in mod2..mod7.
            Default: (3, 3, 6, 3, 1, 1) (WRN-38).
        output_stride (int): 8 (the authors' ``dilation=True``), 16 (mod5
            strided, mod6-7 dilation 2) or 32 (no dilation). Default: 8.
        out_indices (Sequence[int]): Indices (0-based) into the outputs of
            mod1..mod7. Default: (0, 1, 2, 3, 4, 5, 6), channels
            (64, 128, 256, 512, 1024, 2048, 4096).
        in_channels (int): Image channels. Default: 3.
        channels (Sequence[Sequence[int]], optional): Internal channels of
            the blocks of mod2..mod7 (two values: basic block, three:
            bottleneck); None uses WRN-A2's. Smaller widths are for tests.
            Default: None.
        dropout (Sequence[float]): Dropout2d probability inside the blocks of
            mod2..mod7. Default: (0, 0, 0, 0, 0.3, 0.5), as the authors.
        norm_cfg (dict): Norm layer config. Default: dict(type='BN',
            requires_grad=True).
        act_cfg (dict): Activation config. Default: dict(type='ReLU').
        norm_eval (bool): Keep norm layers in eval mode (frozen statistics)
            during training. Default: False.
        init_cfg (dict | list[dict], optional): Initialization config.
            Default: Kaiming for convs, constant 1 for norms.
    """

    def __init__(
        self,
        structure: Sequence[int] = (3, 3, 6, 3, 1, 1),
        output_stride: int = 8,
        out_indices: Sequence[int] = (0, 1, 2, 3, 4, 5, 6),
        in_channels: int = 3,
        channels: Optional[Sequence[Sequence[int]]] = None,
        dropout: Sequence[float] = (0., 0., 0., 0., 0.3, 0.5),
        norm_cfg: dict = dict(type='BN', requires_grad=True),
        act_cfg: dict = dict(type='ReLU'),
        norm_eval: bool = False,
        init_cfg=[
            dict(type='Kaiming', layer='Conv2d'),
            dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
        ]
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        structure = tuple(structure)
        if len(structure) != 6 or any(not isinstance(n, int) or n < 1
                                      for n in structure):
            raise ValueError('structure must be 6 positive ints (blocks in '
                             f'mod2..mod7), got {structure}')
        if output_stride not in _STRIDE_DILATION:
            raise ValueError(
                f'output_stride must be one of {sorted(_STRIDE_DILATION)}, '
                f'got {output_stride}')
        out_indices = tuple(out_indices)
        if not out_indices or any(not isinstance(i, int) or not 0 <= i < 7
                                  for i in out_indices):
            raise ValueError('out_indices must be non-empty indices in '
                             f'[0, 7), got {out_indices}')
        channels = WRN_A2_CHANNELS if channels is None else tuple(
            tuple(c) for c in channels)
        if len(channels) != 6 or any(len(c) not in (2, 3) for c in channels):
            raise ValueError('channels must be 6 tuples of 2 or 3 ints, got '
                             f'{channels}')
        if len(dropout) != 6:
            raise ValueError('dropout must have 6 values (mod2..mod7), got '
                             f'{tuple(dropout)}')
        self.structure = structure
        self.output_stride = output_stride
        self.out_indices = out_indices
        self.norm_eval = norm_eval
        all_channels = (64, ) + tuple(c[-1] for c in channels)
        self.out_channels = tuple(all_channels[i] for i in out_indices)

        self.mod1 = nn.Sequential()
        self.mod1.add_module('conv1',
                             nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False))
        # mod2, mod3: max-pool then stride-1 blocks; mod4..mod7 per table.
        stride_dil = ((1, 1), (1, 1)) + _STRIDE_DILATION[output_stride]
        self.strides = [1]
        cur_stride = 1
        in_ch = 64
        for mod_id, num_blocks in enumerate(structure):
            if mod_id < 2:
                self.add_module(f'pool{mod_id + 2}',
                                nn.MaxPool2d(3, stride=2, padding=1))
                cur_stride *= 2
            stride, dilation = stride_dil[mod_id]
            cur_stride *= stride
            self.strides.append(cur_stride)
            blocks = nn.Sequential()
            for block_id in range(num_blocks):
                blocks.add_module(
                    f'block{block_id + 1}',
                    IdentityResidualBlock(
                        in_ch,
                        channels[mod_id],
                        stride=stride if block_id == 0 else 1,
                        dilation=dilation,
                        dropout=float(dropout[mod_id]),
                        norm_cfg=norm_cfg,
                        act_cfg=act_cfg))
                in_ch = channels[mod_id][-1]
            self.add_module(f'mod{mod_id + 2}', blocks)
        self.strides = tuple(self.strides)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the outputs of the mods named by ``out_indices``."""
        if x.dim() != 4:
            raise ValueError(f'WiderResNet expects B x C x H x W input, got '
                             f'{tuple(x.shape)}')
        outs = []
        x = self.mod1(x)
        outs.append(x)
        for i in range(2, 8):
            if i <= 3:
                x = getattr(self, f'pool{i}')(x)
            x = getattr(self, f'mod{i}')(x)
            outs.append(x)
        return tuple(outs[i] for i in self.out_indices)

    def train(self, mode: bool = True):
        """Switch to train mode, keeping norm layers frozen if norm_eval."""
        super().train(mode)
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self
