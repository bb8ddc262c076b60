"""A checkpoint write that fails half-way, as on a full disk: the error
names the path, the free space and the size needed; the previous checkpoint
and last_checkpoint are intact; no temporary file is left.

The failure is injected into the writer (``os.fdopen`` as the atomic writer
calls it: half of the bytes reach the file, then ENOSPC), not through a
process-wide file-size limit, which would also cut the test runner's own
output once its log file passes the limit.
"""
import errno
import hashlib
import os
import os.path as osp

import pytest
from mmengine.hooks import Hook
from toy_runner import toy_runner

from mmseg_gated.apis import load_checkpoint_file
from mmseg_gated.engine import (AtomicLocalBackend, CheckpointSaveError,
                                enable_atomic_checkpoint_writes)


class _HalfWrittenFile:
    """A file whose first write stores half of its bytes, then fails."""

    def __init__(self, f):
        self.f = f

    def write(self, data):
        self.f.write(data[:len(data) // 2])
        self.f.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()

    def __getattr__(self, name):
        return getattr(self.f, name)


@pytest.fixture
def full_disk(monkeypatch):
    """Call it to make every later checkpoint write fail half-way."""
    real_fdopen = os.fdopen

    def fail():
        monkeypatch.setattr(
            os, 'fdopen',
            lambda *a, **k: _HalfWrittenFile(real_fdopen(*a, **k)))

    return fail


class FullDiskAfter(Hook):
    """After iteration ``after``'s checkpoint, the disk is full."""
    priority = 'LOWEST'

    def __init__(self, after, fail):
        self.after = after
        self.fail = fail

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.after:
            self.fail()


def sha(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def test_backend_half_written(tmp_path, full_disk):
    target = tmp_path / 'ckpt.pth'
    AtomicLocalBackend().put(b'old' * 10, target)
    full_disk()
    with pytest.raises(CheckpointSaveError) as e:
        AtomicLocalBackend().put(b'x' * 8192, target)
    assert e.value.errno == errno.ENOSPC
    assert target.read_bytes() == b'old' * 10
    assert os.listdir(tmp_path) == ['ckpt.pth']
    assert 'the file needs 8.0 KiB' in str(e.value)
    assert 'free space on that filesystem' in str(e.value)


def test_failed_save_keeps_previous(tmp_path, full_disk):
    enable_atomic_checkpoint_writes()
    runner = toy_runner(
        tmp_path, ['ok'] * 4, [FullDiskAfter(2, full_disk)], ballast=100000)
    with pytest.raises(CheckpointSaveError) as e:
        runner.train()
    msg = str(e.value)
    path = str(tmp_path / 'iter_3.pth')
    assert msg.startswith(f'could not save {path}: No space left on device')
    assert f'The filesystem of {tmp_path} has ' in msg
    assert ' free; the file needs ' in msg and ' KiB.' in msg
    assert 'last_checkpoint are unchanged' in msg
    # iter_2.pth whole and loadable, last_checkpoint names it, no leftovers
    assert osp.getsize(tmp_path / 'iter_2.pth') > 100000
    assert load_checkpoint_file(str(tmp_path /
                                    'iter_2.pth'))['meta']['iter'] == 2
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path /
                                                             'iter_2.pth')
    assert not osp.exists(path)
    assert not [f for f in os.listdir(tmp_path) if f.endswith('.tmp')]
