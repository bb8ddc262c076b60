# Copyright (c) mmseg_gated contributors. All rights reserved.
import warnings
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS
from torch import Tensor

from ..utils import HeadInputsMixin


def preact_conv(in_channels: int, out_channels: int, kernel_size: int,
                **kwargs) -> ConvModule:
    """norm-act-conv :class:`ConvModule` with a conv bias (DenseNet-style
    pre-activation, as DenseASPP and the authors' GFF DFP blocks use).

    The bias is not followed by a norm here, so mmcv's "Unnecessary conv
    bias before batch/instance norm" warning (which ignores ``order``) is
    silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='Unnecessary conv bias')
        return ConvModule(
            in_channels,
            out_channels,
            kernel_size,
            bias=True,
            order=('norm', 'act', 'conv'),
            **kwargs)


class DenseASPPModule(BaseModule):
    """Densely connected atrous spatial pyramid pooling (Yang et al.,
    "DenseASPP for Semantic Segmentation in Street Scenes", CVPR 2018,
    Fig. 2): layer ``k`` sees the input and all previous layers' outputs,
    ``y_k = H_k([y_{k-1}, ..., y_1, x])`` with ``H_k`` = norm-act-1x1 conv
    (``mid_channels``), norm-act-3x3 conv with dilation ``d_k``
    (``growth_channels``), dropout. The first layer has no leading norm (its
    input is the backbone's final norm). Output: ``[y_K, ..., y_1, x]``.

    Args:
        in_channels (int): Input channels.
        mid_channels (int): Width of the 1x1 convs (DenseNet121: 128,
            DenseNet161: 512).
        growth_channels (int): Output width of each layer (121: 64,
            161: 128).
        dilations (Sequence[int]): Dilation per layer.
            Default: (3, 6, 12, 18, 24).
        dropout (float): Dropout2d after each layer. Default: 0.1.
        conv_cfg, norm_cfg, act_cfg (dict): As :class:`ConvModule`.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 in_channels: int,
                 mid_channels: int,
                 growth_channels: int,
                 dilations: Sequence[int] = (3, 6, 12, 18, 24),
                 dropout: float = 0.1,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: Optional[dict] = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not dilations:
            raise ValueError('dilations must not be empty')
        self.layers = nn.ModuleList()
        for k, d in enumerate(dilations):
            cin = in_channels + k * growth_channels
            self.layers.append(
                nn.Sequential(
                    preact_conv(
                        cin,
                        mid_channels,
                        1,
                        conv_cfg=conv_cfg,
                        norm_cfg=norm_cfg if k > 0 else None,
                        act_cfg=act_cfg),
                    preact_conv(
                        mid_channels,
                        growth_channels,
                        3,
                        padding=d,
                        dilation=d,
                        conv_cfg=conv_cfg,
                        norm_cfg=norm_cfg,
                        act_cfg=act_cfg),
                    nn.Dropout2d(dropout) if dropout > 0 else nn.Identity()))
        self.in_channels = in_channels
        self.out_channels = in_channels + len(dilations) * growth_channels

    def forward(self, x: Tensor) -> Tensor:
        if x.size(1) != self.in_channels:
            raise ValueError(f'DenseASPPModule expects {self.in_channels} '
                             f'channels, got {tuple(x.shape)}')
        for layer in self.layers:
            x = torch.cat([layer(x), x], dim=1)
        return x


@MODELS.register_module()
class DenseASPPHead(HeadInputsMixin, BaseDecodeHead):
    """DenseASPP decode head (Yang et al., CVPR 2018): :class:`DenseASPPModule`
    on the backbone's final feature, dropout and a 1x1 classifier on the
    concatenation (no bottleneck conv, as the authors; the baseline row
    "DenseASPP DenseNet121" of GFF Table 4). ``channels`` is derived.

    Args:
        mid_channels (int): Width of the 1x1 convs. Default: 128.
        growth_channels (int): Output width per layer. Default: 64.
        dilations (Sequence[int]): Default: (3, 6, 12, 18, 24).
        aspp_dropout (float): Dropout inside the module. Default: 0.1.
        **kwargs: :class:`BaseDecodeHead` arguments (``channels`` may be
            omitted).
    """

    def __init__(self,
                 mid_channels: int = 128,
                 growth_channels: int = 64,
                 dilations: Sequence[int] = (3, 6, 12, 18, 24),
                 aspp_dropout: float = 0.1,
                 **kwargs) -> None:
        in_ch = kwargs.get('in_channels')
        if not isinstance(in_ch, int):
            raise TypeError('DenseASPPHead needs one input (int in_channels),'
                            f' got {in_ch!r}')
        out_ch = in_ch + len(dilations) * growth_channels
        kwargs['channels'] = out_ch
        super().__init__(**kwargs)
        self.dense_aspp = DenseASPPModule(
            self.in_channels,
            mid_channels,
            growth_channels,
            dilations,
            dropout=aspp_dropout,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)

    def forward(self, inputs) -> Tensor:
        x = self._transform_inputs(inputs)
        return self.cls_seg(self.dense_aspp(x))
