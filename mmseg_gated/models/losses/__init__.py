# Copyright (c) mmseg_gated contributors. All rights reserved.
from .boundary_bce_loss import BoundaryBCELoss
from .dual_task_boundary_loss import DualTaskBoundaryLoss
from .dual_task_consistency_loss import DualTaskConsistencyLoss
from .hrnet_cross_entropy_loss import HRNetCrossEntropyLoss
from .rmi_loss import RMILoss

__all__ = [
    'BoundaryBCELoss',
    'DualTaskBoundaryLoss',
    'DualTaskConsistencyLoss',
    'HRNetCrossEntropyLoss',
    'RMILoss',
]
