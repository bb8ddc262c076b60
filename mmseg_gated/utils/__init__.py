# Copyright (c) mmseg_gated contributors. All rights reserved.
