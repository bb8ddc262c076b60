"""Checkpoint reading never runs pickled code, and bad files get errors that
name the file; coverage counts against a hand count."""
import os
import os.path as osp
import pickle

import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn

import mmseg_gated  # noqa: F401  (registers the safe loader)
from mmseg_gated.apis import (CheckpointCoverageError, CheckpointLoadError,
                              check_checkpoint_coverage, checkpoint_coverage,
                              load_checkpoint_file, trust_checkpoint)


class Payload:
    """Unpickling it (in full) creates the marker file: code execution."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


class Plain:
    """A harmless non-tensor object, like the Runner's HistoryBuffer."""

    def __init__(self):
        self.values = [1, 2, 3]


def save(tmp_path, obj, name='ckpt.pth'):
    path = str(tmp_path / name)
    torch.save(obj, path)
    return path


def test_crafted_checkpoint_runs_nothing(tmp_path):
    marker = tmp_path / 'pwned'
    weights = {'conv.weight': torch.randn(2, 3)}
    path = save(
        tmp_path, {
            'state_dict': weights,
            'meta': {
                'iter': 7,
                'dataset_meta': {
                    'classes': ('a', 'b')
                }
            },
            'message_hub': Payload(str(marker)),
        })
    # torch's safe loader refuses it, so mmengine would have needed a full
    # unpickle; ours reads state_dict and meta and substitutes the rest
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    for ckpt in (load_checkpoint_file(path),
                 CheckpointLoader.load_checkpoint(path)):
        assert not marker.exists()
        assert torch.equal(ckpt['state_dict']['conv.weight'],
                           weights['conv.weight'])
        assert ckpt['meta']['iter'] == 7
        assert ckpt['meta']['dataset_meta']['classes'] == ('a', 'b')
        assert 'not loaded' in repr(ckpt['message_hub'])
    # the control: a full unpickle of the same file does run the payload
    torch.load(path, weights_only=False)
    assert marker.exists()


def test_import_installs_safe_loader_idempotently():
    """Executing the package's ``__init__`` replaces mmengine's loader of
    local files (and no other scheme); calling the installer again leaves
    mmengine's table as it was."""
    import importlib

    from mmengine.runner.checkpoint import load_from_local

    from mmseg_gated.apis import enable_safe_checkpoint_loading
    from mmseg_gated.apis.checkpoint import _mmengine_local_loader
    try:
        # mmengine's table as it is before the plugin is imported
        CheckpointLoader.register_scheme('', load_from_local, force=True)
        before = dict(CheckpointLoader._schemes)
        assert CheckpointLoader._get_checkpoint_loader('a.pth') \
            is load_from_local
        importlib.reload(mmseg_gated)
        after = dict(CheckpointLoader._schemes)
        assert CheckpointLoader._get_checkpoint_loader('a.pth') \
            is _mmengine_local_loader
        assert after == dict(before, **{'': _mmengine_local_loader})
        enable_safe_checkpoint_loading()
        enable_safe_checkpoint_loading()
        assert list(CheckpointLoader._schemes.items()) == list(after.items())
    finally:
        enable_safe_checkpoint_loading()


def test_trusted_checkpoint_loads_in_full(tmp_path):
    folder = tmp_path / 'work_dir'
    folder.mkdir()
    path = save(folder, {'state_dict': {}, 'hub': Plain()})
    assert 'not loaded' in repr(load_checkpoint_file(path)['hub'])
    trust_checkpoint(str(folder))
    hub = load_checkpoint_file(path)['hub']
    assert isinstance(hub, Plain) and hub.values == [1, 2, 3]


@pytest.mark.parametrize('kind, needle', [
    ('missing', 'does not exist'),
    ('empty', 'is empty (0 bytes)'),
    ('text', 'is a text file'),
    ('random', 'is not a PyTorch checkpoint'),
    ('truncated', 'truncated or corrupt'),
])
def test_bad_files_name_file_and_problem(tmp_path, kind, needle):
    path = str(tmp_path / f'{kind}.pth')
    if kind == 'empty':
        open(path, 'wb').close()
    elif kind == 'text':
        with open(path, 'w') as f:
            f.write('version https://git-lfs.github.com/spec/v1\noid sha256:'
                    'abc\nsize 123\n')
    elif kind == 'random':
        with open(path, 'wb') as f:
            f.write(bytes(range(7, 256)) * 4)
    elif kind == 'truncated':
        full = save(tmp_path, {'state_dict': {
            'w': torch.randn(64, 64)
        }}, 'full.pth')
        with open(full, 'rb') as f:
            data = f.read()
        with open(path, 'wb') as f:
            f.write(data[:len(data) // 2])
    with pytest.raises(CheckpointLoadError) as info:
        load_checkpoint_file(path)
    assert path in str(info.value) and needle in str(info.value)


def test_coverage_counts_parameters():
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Conv2d(8, 4, 1))
    # by hand: conv0 3*8*9+8 = 224, bn 8+8 = 16, conv2 8*4+4 = 36; total 276
    state = {
        k: v
        for k, v in model.state_dict().items() if not k.startswith('2.')
    }
    state['module.9.weight'] = torch.zeros(1)  # DataParallel prefix: revised
    state['1.bias'] = torch.zeros(7)  # wrong shape
    cov = checkpoint_coverage(model, {'state_dict': state})
    assert (cov.loaded, cov.total) == (224 + 8, 276)
    assert cov.missing == ['2.weight', '2.bias']
    assert cov.mismatched == ['1.bias'] and cov.unexpected == ['9.weight']
    with pytest.raises(CheckpointCoverageError, match=r'84\.1%.*2\.weight'):
        check_checkpoint_coverage(model, state, 'x.pth')
    assert check_checkpoint_coverage(
        model, state, 'x.pth', allow_partial=True).loaded == 232
    full = checkpoint_coverage(model, model.state_dict())
    assert full.fraction == 1.0 and not full.unexpected


def test_atomic_put_leaves_no_partial_file(tmp_path, monkeypatch):
    from mmseg_gated.engine import AtomicLocalBackend
    target = tmp_path / 'iter_1.pth'
    target.write_bytes(b'old')
    backend = AtomicLocalBackend()

    def boom(fd):
        raise KeyboardInterrupt  # killed between write and rename

    monkeypatch.setattr(os, 'fsync', boom)
    with pytest.raises(KeyboardInterrupt):
        backend.put(b'new contents', str(target))
    assert target.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['iter_1.pth']
    monkeypatch.undo()
    backend.put(b'new contents', str(target))
    assert target.read_bytes() == b'new contents'
    assert osp.exists(target)
