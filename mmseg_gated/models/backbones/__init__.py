# Copyright (c) mmseg_gated contributors. All rights reserved.
from .wider_resnet import WiderResNet  # GFF (shared with Gated-SCNN)
from .densenet import DenseNet  # GFF
from .gsto_hr_module import GSTOHRModule  # GSTO
from .gsto_hrnet import GSTOHRNet  # GSTO

__all__ = ['WiderResNet']
__all__ += ['DenseNet']  # GFF
__all__ += ['GSTOHRModule', 'GSTOHRNet']  # GSTO
