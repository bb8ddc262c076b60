# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import Callable, List, Tuple

import torch.nn as nn


class HookRecorder:
    """Base of the recorders: forward hooks on chosen modules of an
    unmodified model, registered on entering a ``with`` block and removed
    on leaving it (also after an exception).

    A subclass finds its modules in ``__init__`` (raising ``ValueError``
    for a model without them) and lists its hooks in :meth:`hooks`::

        with GFFGateRecorder(model) as rec:
            inference_model(model, image)
        rec.gates  # what the hooks kept; the model has no hooks any more
    """

    def __init__(self) -> None:
        self._handles: list = []

    def hooks(self) -> List[Tuple[nn.Module, Callable, str]]:
        """``(module, hook, kind)`` to register; ``kind`` is ``'forward'``
        (``hook(module, args, output)``) or ``'pre'`` (``hook(module,
        args)``)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget what earlier passes recorded (called on entering)."""

    def __enter__(self):
        if self._handles:
            raise RuntimeError(f'{type(self).__name__} is already recording')
        self.reset()
        for module, hook, kind in self.hooks():
            register = module.register_forward_pre_hook if kind == 'pre' \
                else module.register_forward_hook
            self._handles.append(register(hook))
        return self

    def __exit__(self, *exc) -> None:
        self.remove()

    def remove(self) -> None:
        """Take the hooks off the model."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
