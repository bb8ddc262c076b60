# Copyright (c) mmseg_gated contributors. All rights reserved.
from .boundary_bce_loss import BoundaryBCELoss
from .dual_task_boundary_loss import DualTaskBoundaryLoss
from .dual_task_consistency_loss import DualTaskConsistencyLoss
from .dual_task_probability_l1_loss import DualTaskProbabilityL1Loss
from .hrnet_cross_entropy_loss import HRNetCrossEntropyLoss
from .image_based_ce_loss import ImageBasedCrossEntropyLoss
from .rmi_loss import RMILoss

__all__ = [
    'BoundaryBCELoss',
    'DualTaskBoundaryLoss',
    'DualTaskConsistencyLoss',
    'DualTaskProbabilityL1Loss',
    'HRNetCrossEntropyLoss',
    'ImageBasedCrossEntropyLoss',
    'RMILoss',
]
