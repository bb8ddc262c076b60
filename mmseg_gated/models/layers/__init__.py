# Copyright (c) mmseg_gated contributors. All rights reserved.
from .gate import SpatialGate

__all__ = ['SpatialGate']
