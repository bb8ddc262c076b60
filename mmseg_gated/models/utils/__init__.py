# Copyright (c) mmseg_gated contributors. All rights reserved.
from .head_inputs import HeadInputsMixin

__all__ = ['HeadInputsMixin']
