# Copyright (c) mmseg_gated contributors. All rights reserved.
from .rmi_loss import RMILoss  # HMSA
from .boundary_bce_loss import BoundaryBCELoss  # GSCNN
from .dual_task_boundary_loss import DualTaskBoundaryLoss  # GSCNN
from .dual_task_consistency_loss import DualTaskConsistencyLoss  # GSCNN

__all__ = []
__all__ += ['RMILoss']  # HMSA
__all__ += ['BoundaryBCELoss', 'DualTaskBoundaryLoss',  # GSCNN
            'DualTaskConsistencyLoss']  # GSCNN
