# Copyright (c) mmseg_gated contributors. All rights reserved.
from .hooks import *  # noqa: F401,F403
