# Copyright (c) mmseg_gated contributors. All rights reserved.
"""DenseNet backbone (121/161) in the dilated form DenseASPP uses.

Parameter names follow torchvision's ``densenet121``/``densenet161``
(``conv0``, ``norm0``, ``denseblockN.denselayerM.norm1/conv1/norm2/conv2``,
``transitionN.norm/conv``, ``norm5``) without the ``features.`` prefix, so
ImageNet weights load after stripping it.
"""
from typing import Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm


class DenseLayer(nn.Module):
    """BN-ReLU-1x1 conv (``bn_size * growth``), BN-ReLU-3x3 conv (``growth``),
    output concatenated to the input (Huang et al., CVPR 2017, Sec. 3)."""

    def __init__(self, in_channels: int, growth_rate: int, bn_size: int,
                 dilation: int, norm_cfg: dict, act_cfg: dict) -> None:
        super().__init__()
        mid = bn_size * growth_rate
        self.norm1 = build_norm_layer(norm_cfg, in_channels)[1]
        self.relu1 = build_activation_layer(act_cfg)
        self.conv1 = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.norm2 = build_norm_layer(norm_cfg, mid)[1]
        self.relu2 = build_activation_layer(act_cfg)
        self.conv2 = nn.Conv2d(
            mid,
            growth_rate,
            3,
            padding=dilation,
            dilation=dilation,
            bias=False)

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv1(self.relu1(self.norm1(x)))
        out = self.conv2(self.relu2(self.norm2(out)))
        return torch.cat([x, out], dim=1)


class Transition(nn.Sequential):
    """BN-ReLU-1x1 conv halving the channels, then 2x2 average pooling if
    ``stride == 2`` (floor mode, as torchvision and DenseASPP: an odd side
    ``s`` becomes ``s // 2``)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 norm_cfg: dict, act_cfg: dict) -> None:
        super().__init__()
        self.add_module('norm', build_norm_layer(norm_cfg, in_channels)[1])
        self.add_module('relu', build_activation_layer(act_cfg))
        self.add_module('conv',
                        nn.Conv2d(in_channels, out_channels, 1, bias=False))
        if stride == 2:
            self.add_module('pool', nn.AvgPool2d(2, stride=2))


@MODELS.register_module()
class DenseNet(BaseModule):
    """Densely connected convolutional network (Huang et al., CVPR 2017),
    dilated to output stride 8 as in DenseASPP (Yang et al., CVPR 2018):
    the pooling of transitions 2 and 3 is removed and dense blocks 3 and 4
    use dilation 2 and 4. With ``final_transition`` a fourth transition
    (halving the channels, no pooling) is added, as DenseASPP does; the last
    output goes through ``norm5`` (no activation). Used by GFF Table 4
    (DenseASPP DenseNet121) and Table 5 (DenseASPP DenseNet161).

    Outputs (``out_indices`` into 5): the outputs of dense blocks 1-4 and the
    final feature. DenseNet121 at output stride 8: channels
    (256, 512, 1024, 1024, 512), strides (4, 8, 8, 8, 8).

    Args:
        arch (str | dict): ``'121'``, ``'161'`` or a dict with
            ``growth_rate``, ``num_init_features``, ``block_config``.
            Default: '121'.
        output_stride (int): 8 or 32 (plain DenseNet). Default: 8.
        bn_size (int): Bottleneck factor of the dense layers. Default: 4.
        final_transition (bool): DenseASPP's fourth transition. Default: True.
        out_indices (Sequence[int]): Default: (0, 1, 2, 3, 4).
        in_channels (int): Image channels. Default: 3.
        norm_cfg (dict): Default: dict(type='BN', requires_grad=True).
        act_cfg (dict): Default: dict(type='ReLU').
        norm_eval (bool): Freeze norm statistics in training. Default: False.
        init_cfg (dict | list[dict], optional): Initialization config.
    """

    arch_settings = {
        '121':
        dict(
            growth_rate=32, num_init_features=64,
            block_config=(6, 12, 24, 16)),
        '161':
        dict(
            growth_rate=48, num_init_features=96,
            block_config=(6, 12, 36, 24)),
    }

    def __init__(
        self,
        arch: Union[str, dict] = '121',
        output_stride: int = 8,
        bn_size: int = 4,
        final_transition: bool = True,
        out_indices: Sequence[int] = (0, 1, 2, 3, 4),
        in_channels: int = 3,
        norm_cfg: dict = dict(type='BN', requires_grad=True),
        act_cfg: dict = dict(type='ReLU'),
        norm_eval: bool = False,
        init_cfg=[
            dict(type='Kaiming', layer='Conv2d'),
            dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
        ]
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(arch, str):
            if arch not in self.arch_settings:
                raise ValueError(f'arch must be one of '
                                 f'{sorted(self.arch_settings)} or a dict, '
                                 f'got {arch!r}')
            arch = self.arch_settings[arch]
        missing = {'growth_rate', 'num_init_features', 'block_config'} - \
            set(arch)
        if missing:
            raise ValueError(f'arch dict lacks {sorted(missing)}')
        if output_stride not in (8, 32):
            raise ValueError(f'output_stride must be 8 or 32, got '
                             f'{output_stride}')
        out_indices = tuple(out_indices)
        if not out_indices or any(not 0 <= i < 5 for i in out_indices):
            raise ValueError(f'out_indices must be in [0, 5), got '
                             f'{out_indices}')
        growth = arch['growth_rate']
        blocks = tuple(arch['block_config'])
        if len(blocks) != 4:
            raise ValueError(f'block_config needs 4 values, got {blocks}')
        self.out_indices = out_indices
        self.norm_eval = norm_eval

        init = arch['num_init_features']
        self.conv0 = nn.Conv2d(in_channels, init, 7, 2, 3, bias=False)
        self.norm0 = build_norm_layer(norm_cfg, init)[1]
        self.relu0 = build_activation_layer(act_cfg)
        self.pool0 = nn.MaxPool2d(3, stride=2, padding=1)

        if output_stride == 8:
            dilations, pools = (1, 1, 2, 4), (2, 1, 1)
        else:
            dilations, pools = (1, 1, 1, 1), (2, 2, 2)
        channels = init
        all_channels = []
        strides = []
        stride = 4
        for i, n in enumerate(blocks):
            block = nn.Sequential()
            for j in range(n):
                block.add_module(
                    f'denselayer{j + 1}',
                    DenseLayer(channels + j * growth, growth, bn_size,
                               dilations[i], norm_cfg, act_cfg))
            self.add_module(f'denseblock{i + 1}', block)
            channels += n * growth
            all_channels.append(channels)
            strides.append(stride)
            if i < 3:
                self.add_module(
                    f'transition{i + 1}',
                    Transition(channels, channels // 2, pools[i], norm_cfg,
                               act_cfg))
                channels //= 2
                stride *= pools[i]
        if final_transition:
            self.transition4 = Transition(channels, channels // 2, 1, norm_cfg,
                                          act_cfg)
            channels //= 2
        else:
            self.transition4 = None
        self.norm5 = build_norm_layer(norm_cfg, channels)[1]
        all_channels.append(channels)
        strides.append(stride)
        self.out_channels = tuple(all_channels[i] for i in out_indices)
        self.strides = tuple(strides[i] for i in out_indices)

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        if x.dim() != 4:
            raise ValueError(f'DenseNet expects B x C x H x W input, got '
                             f'{tuple(x.shape)}')
        x = self.pool0(self.relu0(self.norm0(self.conv0(x))))
        outs = []
        for i in range(4):
            x = getattr(self, f'denseblock{i + 1}')(x)
            outs.append(x)
            if i < 3:
                x = getattr(self, f'transition{i + 1}')(x)
        if self.transition4 is not None:
            x = self.transition4(x)
        outs.append(self.norm5(x))
        return tuple(outs[i] for i in self.out_indices)

    def train(self, mode: bool = True):
        super().train(mode)
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self
