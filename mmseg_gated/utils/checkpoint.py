# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Load the checkpoints mmengine's Runner saves on torch >= 2.6.

torch 2.6 made ``torch.load`` default to ``weights_only=True``; mmengine
0.10.x calls it without the argument, and its checkpoints carry a
``message_hub`` of :class:`~mmengine.logging.HistoryBuffer` objects holding
numpy arrays, so ``--resume`` and ``tools/test.py`` fail with an
``UnpicklingError``. Rather than turning the safe loader off, we add exactly
the types a Runner checkpoint contains to torch's allow-list.
"""
import numpy as np
import torch


def _numpy_globals():
    types = [np.ndarray, np.dtype]
    try:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    types += [_reconstruct, scalar]
    # The dtype classes (np.dtypes.Float64DType ...) a pickled array names.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        types += [
            getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType')
        ]
    types += [
        np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
        np.uint32, np.uint64, np.float16, np.float32, np.float64
    ]
    return types


def register_checkpoint_safe_globals() -> bool:
    """Allow-list the types of an mmengine Runner checkpoint for
    ``torch.load(weights_only=True)``. Returns False on torch without
    ``add_safe_globals`` (< 2.4), where nothing needs doing."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is None:
        return False
    from mmengine.logging import HistoryBuffer
    add([HistoryBuffer] + _numpy_globals())
    return True
