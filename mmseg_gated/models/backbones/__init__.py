# Copyright (c) mmseg_gated contributors. All rights reserved.
from .densenet import DenseNet
from .gsto_hr_module import GSTOHRModule
from .gsto_hrnet import GSTOHRNet
from .gsto_official_hrnet import GSTOOfficialHRNet
from .resize_once_hrnet import ResizeOnceHRNet
from .wider_resnet import WiderResNet

__all__ = [
    'DenseNet',
    'GSTOHRModule',
    'GSTOHRNet',
    'GSTOOfficialHRNet',
    'ResizeOnceHRNet',
    'WiderResNet',
]
