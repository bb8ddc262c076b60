"""A checkpoint write that fails half-way (the file size limit, as a full
disk would): the error names the path, the free space and the size needed;
the previous checkpoint and last_checkpoint are intact; no temporary file
is left."""
import errno
import hashlib
import os
import os.path as osp
import resource
import signal

import pytest
from mmengine.hooks import Hook
from toy_runner import toy_runner

from mmseg_gated.apis import load_checkpoint_file
from mmseg_gated.engine import (AtomicLocalBackend, CheckpointSaveError,
                                enable_atomic_checkpoint_writes)


class LimitFileSize(Hook):
    """After iteration ``after``'s checkpoint, limit the size of files this
    process may write to half of that checkpoint's."""
    priority = 'LOWEST'

    def __init__(self, after):
        self.after = after
        self.limit = None

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.after:
            size = osp.getsize(
                osp.join(runner.work_dir, f'iter_{self.after}.pth'))
            self.limit = size // 2
            soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.limit, hard))


@pytest.fixture
def file_size_limit():
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead
    yield
    resource.setrlimit(resource.RLIMIT_FSIZE, old)
    signal.signal(signal.SIGXFSZ, handler)


def sha(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def test_backend_half_written(tmp_path, file_size_limit):
    target = tmp_path / 'ckpt.pth'
    AtomicLocalBackend().put(b'old' * 10, target)
    resource.setrlimit(resource.RLIMIT_FSIZE,
                       (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    with pytest.raises(CheckpointSaveError) as e:
        AtomicLocalBackend().put(b'x' * 8192, target)
    assert e.value.errno == errno.EFBIG
    assert target.read_bytes() == b'old' * 10
    assert os.listdir(tmp_path) == ['ckpt.pth']
    assert 'the file needs 8.0 KiB' in str(e.value)


def test_failed_save_keeps_previous(tmp_path, file_size_limit):
    enable_atomic_checkpoint_writes()
    limit = LimitFileSize(after=2)
    runner = toy_runner(tmp_path, ['ok'] * 4, [limit], ballast=100000)
    with pytest.raises(CheckpointSaveError) as e:
        runner.train()
    msg = str(e.value)
    path = str(tmp_path / 'iter_3.pth')
    assert msg.startswith(f'could not save {path}: File too large')
    assert f'The filesystem of {tmp_path} has ' in msg
    assert ' free; the file needs ' in msg and ' KiB.' in msg
    assert 'last_checkpoint are unchanged' in msg
    # iter_2.pth whole and loadable, last_checkpoint names it, no leftovers
    assert osp.getsize(tmp_path / 'iter_2.pth') > limit.limit
    assert load_checkpoint_file(str(tmp_path /
                                    'iter_2.pth'))['meta']['iter'] == 2
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path /
                                                             'iter_2.pth')
    assert not osp.exists(path)
    assert not [f for f in os.listdir(tmp_path) if f.endswith('.tmp')]
