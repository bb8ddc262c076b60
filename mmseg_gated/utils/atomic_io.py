# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Atomic local file writes for mmengine's checkpoints."""
import os
import os.path as osp
import tempfile

from mmengine.fileio.backends import LocalBackend, register_backend


class AtomicLocalBackend(LocalBackend):
    """mmengine's :class:`LocalBackend` whose ``put`` is atomic.

    The bytes go to a temporary file in the target's folder, are flushed to
    disk, and the file is renamed over the target (``os.replace``, atomic on
    POSIX). A process killed mid-write leaves at most a stray temporary file,
    never a truncated ``iter_N.pth``.
    """

    def put(self, obj: bytes, filepath) -> None:
        filepath = str(filepath)
        folder = osp.dirname(osp.abspath(filepath))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=folder, prefix=f'.{osp.basename(filepath)}.', suffix='.tmp')
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(obj)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, filepath)
        except BaseException:
            if osp.exists(tmp):
                os.remove(tmp)
            raise


def enable_atomic_checkpoint_writes() -> None:
    """Route mmengine's local ``put`` (checkpoint saving) through
    :class:`AtomicLocalBackend`."""
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
