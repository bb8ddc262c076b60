# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Atomic local file writes for mmengine's checkpoints."""
import errno
import os
import os.path as osp
import shutil
import tempfile

from mmengine.fileio.backends import LocalBackend, register_backend


class AtomicLocalBackend(LocalBackend):
    """mmengine's :class:`LocalBackend` whose ``put`` is atomic.

    The bytes go to a temporary file in the target's folder, are flushed to
    disk, and the file is renamed over the target (``os.replace``, atomic on
    POSIX). A process killed mid-write leaves at most a stray temporary file,
    never a truncated ``iter_N.pth``.

    A write that fails (disk full, quota, permission, file size limit)
    removes the temporary file and raises :class:`CheckpointSaveError`
    naming the path, the free space of its filesystem and the size needed;
    the existing file at ``filepath`` (and mmengine's ``last_checkpoint``,
    which ``CheckpointHook`` writes only after a save returned) are left
    as they were.
    """

    def put(self, obj: bytes, filepath) -> None:
        filepath = str(filepath)
        folder = osp.dirname(osp.abspath(filepath))
        tmp = None
        try:
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                dir=folder,
                prefix=f'.{osp.basename(filepath)}.',
                suffix='.tmp')
            with os.fdopen(fd, 'wb') as f:
                f.write(obj)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, filepath)
        except BaseException as e:
            if tmp is not None and osp.exists(tmp):
                os.remove(tmp)
            if isinstance(e,
                          OSError) and not isinstance(e, CheckpointSaveError):
                raise CheckpointSaveError.from_os_error(e, filepath,
                                                        len(obj)) from e
            raise


def _size(num_bytes) -> str:
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if abs(num_bytes) < 1024 or unit == 'TiB':
            return (f'{num_bytes:.0f} {unit}'
                    if unit == 'B' else f'{num_bytes:.1f} {unit}')
        num_bytes /= 1024


class CheckpointSaveError(OSError):
    """A checkpoint (or other file) could not be written; the message names
    the path, the free space of its filesystem and the size needed."""

    @classmethod
    def from_os_error(cls, error: OSError, filepath: str, size: int):
        folder = osp.dirname(osp.abspath(filepath))
        while folder and not osp.isdir(folder):
            folder = osp.dirname(folder)
        try:
            free = _size(shutil.disk_usage(folder).free)
        except OSError:
            free = 'unknown'
        reason = error.strerror or str(error)
        hint = {
            errno.ENOSPC: 'free space on that filesystem',
            errno.EDQUOT: 'raise the quota or free space',
            errno.EACCES: 'make the folder writable',
            errno.EPERM: 'make the folder writable',
            errno.EFBIG: 'raise the file size limit (ulimit -f)',
            errno.EROFS: 'write to a writable filesystem',
        }.get(error.errno, 'fix the cause')
        return cls(
            error.errno, f'could not save {filepath}: {reason} (errno '
            f'{error.errno}). The filesystem of {folder} has {free} free; '
            f'the file needs {_size(size)}. Nothing was written in its place'
            ': the previous checkpoints and last_checkpoint are unchanged. '
            f'To go on, {hint} (or set --work-dir elsewhere) and run '
            'tools/train.py CONFIG --resume.')

    def __str__(self) -> str:
        return self.strerror or super().__str__()


def enable_atomic_checkpoint_writes() -> None:
    """Route mmengine's local ``put`` (checkpoint saving) through
    :class:`AtomicLocalBackend`."""
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
