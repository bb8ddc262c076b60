# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Read checkpoints on torch >= 2.6 without executing pickled code.

torch 2.6 made ``torch.load`` default to ``weights_only=True``. mmengine
0.10.x calls it without the argument, and a Runner checkpoint carries a
``message_hub`` whose :class:`~mmengine.logging.HistoryBuffer` objects pickle
their statistics methods through ``builtins.getattr``: the safe unpickler
refuses the whole file. ``getattr`` cannot be allow-listed without defeating
the safe loader, and a full unpickle of a file handed to a tool runs whatever
code the file names.

So reading a checkpoint takes one of three paths, and the log says which:

1. torch's safe loader (``weights_only=True``): plain weight files, converted
   and published checkpoints.
2. A restricted unpickler (:class:`_StateDictUnpickler`) for what the safe
   loader refuses: it admits torch's own allow-list (tensors, storages,
   containers) and numpy arrays, and substitutes an inert stand-in for every
   other global, so nothing named by the file is imported or called. The
   ``state_dict`` and plain ``meta`` come back intact; the message hub and
   other Runner state come back as stand-ins. This is enough for testing,
   inference, ``load_from``, converters and the analysis tools.
3. A full unpickle, only for files registered as trusted
   (:func:`trust_checkpoint`): the checkpoints of the run's own work dir that
   ``--resume`` finds, or one the user names with ``--trust-checkpoint``.
   Resuming needs it, since the message hub must be rebuilt.

Files that are not checkpoints at all (empty, text, random bytes, truncated)
raise :class:`CheckpointLoadError` naming the file and the problem.
"""
import os
import os.path as osp
import pickle
import zipfile
from typing import Dict, Optional, Set

import torch
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

_TRUSTED_FILES: Set[str] = set()
_TRUSTED_DIRS: Set[str] = set()
# realpath -> {state_dict name: shape} of files read through this module, so
# that a coverage check need not read a checkpoint twice.
_LOADED_SHAPES: Dict[str, Dict[str, tuple]] = {}

# numpy's array/scalar reconstruction: data only, no code (module paths of
# numpy 1.x and 2.x).
_NUMPY_GLOBALS = {
    (mod, name)
    for mod in ('numpy.core.multiarray', 'numpy._core.multiarray')
    for name in ('_reconstruct', 'scalar')
} | {('numpy', 'ndarray'), ('numpy', 'dtype')}


class CheckpointLoadError(RuntimeError):
    """A checkpoint file that cannot be read; the message names the file."""


def trust_checkpoint(path: str) -> None:
    """Allow a full unpickle of ``path`` (a file) or of any file below it.

    Args:
        path (str): A checkpoint file, or a directory (e.g. the run's
            ``work_dir``) whose checkpoints may be loaded in full.
    """
    real = osp.realpath(path)  # the folder may not exist yet: trust both
    _TRUSTED_FILES.add(real)
    _TRUSTED_DIRS.add(real)


def is_trusted(filename: str) -> Optional[str]:
    """Why ``filename`` may be unpickled in full, or None if it may not."""
    real = osp.realpath(filename)
    if real in _TRUSTED_FILES:
        return 'named with --trust-checkpoint'
    for folder in _TRUSTED_DIRS:
        if real.startswith(folder + os.sep):
            return f"in the run's work dir {folder}"
    return None


class _Opaque:
    """Inert stand-in for a global the restricted unpickler does not admit.

    Accepts any construction arguments and state and does nothing with them.
    """

    def __init__(self, *args, **kwargs):
        self._args = args

    def __call__(self, *args, **kwargs):
        return _Opaque(*args)

    def __setstate__(self, state):
        self._state = state

    def __repr__(self):
        return f'<not loaded: {type(self).__module__}.' \
               f'{type(self).__qualname__}>'


def _allowed_globals() -> dict:
    try:  # torch's own allow-list for weights_only loading
        from torch._weights_only_unpickler import _get_allowed_globals
        allowed = dict(_get_allowed_globals())
    except ImportError:  # pragma: no cover - older torch
        from collections import OrderedDict
        allowed = {
            'collections.OrderedDict': OrderedDict,
            'torch._utils._rebuild_tensor_v2': torch._utils._rebuild_tensor_v2,
            'torch._utils._rebuild_parameter': torch._utils._rebuild_parameter,
            'torch.Size': torch.Size,
        }
    return allowed


class _StateDictUnpickler(pickle.Unpickler):
    """Unpickler that imports nothing outside torch's allow-list."""

    _allowed = None

    def find_class(self, module, name):
        if _StateDictUnpickler._allowed is None:
            _StateDictUnpickler._allowed = _allowed_globals()
        key = f'{module}.{name}'
        if key in self._allowed:
            return self._allowed[key]
        if (module, name) in _NUMPY_GLOBALS:
            return super().find_class(module, name)
        if module == 'torch' and (name.endswith('Storage') or isinstance(
                getattr(torch, name, None), torch.dtype)):
            return getattr(torch, name)
        # Anything else (HistoryBuffer, getattr, os.system, ...): a fresh
        # inert class with the global's name, never the global itself.
        return type(name, (_Opaque, ), {
            '__module__': module,
            '__qualname__': name
        })


class _RestrictedPickleModule:
    """``pickle_module`` for :func:`torch.load` using the restricted
    unpickler."""
    Unpickler = _StateDictUnpickler
    load = pickle.load
    __name__ = 'mmseg_gated_restricted_pickle'


def _check_file(filename: str) -> None:
    """Raise :class:`CheckpointLoadError` for what is not a checkpoint."""
    if not osp.isfile(filename):
        raise CheckpointLoadError(f'checkpoint {filename!r} does not exist')
    size = osp.getsize(filename)
    if size == 0:
        raise CheckpointLoadError(
            f'checkpoint {filename!r} is empty (0 bytes): was its download '
            'or save interrupted?')
    with open(filename, 'rb') as f:
        head = f.read(512)
    if head.startswith(b'PK\x03\x04'):
        if not zipfile.is_zipfile(filename):
            raise CheckpointLoadError(
                f'checkpoint {filename!r} is truncated or corrupt: it starts '
                f'like a PyTorch zip checkpoint but its archive directory is '
                f'missing ({size} bytes); re-download or re-save it')
        return
    if head[:1] == b'\x80':  # torch's legacy (pre-1.6) pickle format
        return
    text = None
    for cut in range(4):  # the 512-byte head may end inside a character
        try:
            text = head[:len(head) - cut].decode('utf-8')
            break
        except UnicodeDecodeError:
            continue
    if text and all(c.isprintable() or c.isspace() for c in text):
        raise CheckpointLoadError(
            f'checkpoint {filename!r} is a text file, not a PyTorch '
            f'checkpoint (it starts with {text[:40]!r}); a Git LFS pointer '
            'or an HTML error page saved in place of the weights looks '
            'like this')
    raise CheckpointLoadError(
        f'checkpoint {filename!r} is not a PyTorch checkpoint: it is neither '
        f'a zip archive nor a legacy torch file (first bytes '
        f'{head[:8].hex(" ")})')


def load_checkpoint_file(filename: str,
                         map_location=None,
                         logger: str = 'current'):
    """Read a local checkpoint without executing code it names.

    Tries torch's safe loader, then the restricted unpickler, and unpickles
    in full only files registered with :func:`trust_checkpoint`.

    Args:
        filename (str): Local checkpoint path.
        map_location: Passed to :func:`torch.load`.
        logger (str): Logger for the line that says which path was taken.

    Returns:
        The loaded object (usually a dict with ``state_dict`` and ``meta``).

    Raises:
        CheckpointLoadError: the file is missing, empty, text, not a torch
            file, truncated or otherwise unreadable.
    """
    ckpt = _read(filename, map_location, logger)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
    if isinstance(state, dict):
        _LOADED_SHAPES[osp.realpath(filename)] = {
            k: tuple(v.shape)
            for k, v in state.items() if isinstance(v, torch.Tensor)
        }
    return ckpt


def loaded_state_shapes(filename: str) -> Optional[Dict[str, tuple]]:
    """Names and shapes of the state dict last read from ``filename`` by
    :func:`load_checkpoint_file` (None if it was not read here)."""
    return _LOADED_SHAPES.get(osp.realpath(filename))


def _read(filename, map_location, logger):
    _check_file(filename)
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError:
        pass  # holds more than tensors: an mmengine Runner checkpoint?
    except Exception as e:
        raise CheckpointLoadError(
            f'checkpoint {filename!r} could not be read: '
            f'{type(e).__name__}: {e}') from e
    reason = is_trusted(filename)
    try:
        if reason is not None:
            print_log(
                f'Loading {filename} in full (weights_only=False): trusted, '
                f'{reason}.',
                logger=logger)
            return torch.load(
                filename, map_location=map_location, weights_only=False)
        ckpt = torch.load(
            filename,
            map_location=map_location,
            weights_only=False,
            pickle_module=_RestrictedPickleModule)
    except Exception as e:
        raise CheckpointLoadError(
            f'checkpoint {filename!r} could not be read: '
            f'{type(e).__name__}: {e}') from e
    print_log(
        f'Loaded {filename} without executing pickled code: its state_dict '
        'and meta are read; other Runner state (message hub, ...) is '
        'replaced by inert stand-ins. Resuming from it needs '
        '--trust-checkpoint.',
        logger=logger)
    return ckpt


def _mmengine_local_loader(filename: str, map_location=None):
    return load_checkpoint_file(filename, map_location)


def enable_safe_checkpoint_loading() -> None:
    """Make mmengine read local checkpoints with
    :func:`load_checkpoint_file`.

    Replaces mmengine's loader for paths without a scheme (its
    ``load_from_local``, a plain ``torch.load``) in
    :class:`~mmengine.runner.CheckpointLoader`, so ``load_from``,
    ``init_model``, ``MMSegInferencer`` and the tools read mmengine Runner
    checkpoints on torch >= 2.6 without a full unpickle. Remote schemes
    (``http://``, ``open-mmlab://`` ...) keep mmengine's loaders.
    ``import mmseg_gated`` calls it once; calling it again changes nothing
    (the same loader is registered for the same prefix).
    """
    CheckpointLoader.register_scheme(
        prefixes='', loader=_mmengine_local_loader, force=True)
