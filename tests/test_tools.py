"""tools/train.py and tools/test.py end to end on the synthetic dataset:
train 2 iterations, resume for 2 more, test the checkpoint, and a
two-process CPU (gloo) run through torchrun with --launcher pytorch."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO = osp.join(REPO, 'configs', 'demo',
                'uper_r18-tiny_1xb8-800iter_synthetic-96x96.py')


def small_options(max_iters, work_dir):
    return [
        '--work-dir', str(work_dir), '--cfg-options',
        f'train_cfg.max_iters={max_iters}',
        f'train_cfg.val_interval={max_iters}',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1',
        'train_dataloader.batch_size=2',
        'train_dataloader.dataset.num_samples=8',
        'val_dataloader.dataset.num_samples=2',
        'env_cfg.cudnn_benchmark=False',
    ]


def run(args, **kw):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    proc = subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True,
        timeout=600, **kw)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]
    return out


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_train_resume_test(tmp_path):
    work = tmp_path / 'work'
    out1 = run([sys.executable, 'tools/train.py', DEMO] +
               small_options(2, work))
    assert osp.isfile(work / 'iter_2.pth'), out1[-3000:]
    assert 'Iter(train) [2/2]' in out1

    out2 = run([sys.executable, 'tools/train.py', DEMO, '--resume'] +
               small_options(4, work))
    assert 'resumed epoch: 0, iter: 2' in out2, out2[-3000:]
    assert 'Iter(train) [3/4]' in out2 and 'Iter(train) [4/4]' in out2
    assert 'Iter(train) [1/4]' not in out2
    assert osp.isfile(work / 'iter_4.pth')
    assert 'mIoU' in out2

    # torch's default (weights_only) refuses a Runner checkpoint; our loader
    # reads it
    import pickle

    from mmseg_gated.utils import load_local_checkpoint
    with pytest.raises(pickle.UnpicklingError):
        torch.load(work / 'iter_4.pth', map_location='cpu')
    ckpt = load_local_checkpoint(str(work / 'iter_4.pth'), 'cpu')
    assert ckpt['meta']['iter'] == 4
    assert 'state_dict' in ckpt and 'message_hub' in ckpt

    out3 = run([sys.executable, 'tools/test.py', DEMO,
                str(work / 'iter_4.pth'), '--work-dir',
                str(tmp_path / 'test'), '--cfg-options',
                'test_dataloader.dataset.num_samples=2'])
    assert 'Load checkpoint from' in out3
    assert 'mIoU' in out3


def test_resume_explicit_checkpoint(tmp_path):
    work = tmp_path / 'work'
    run([sys.executable, 'tools/train.py', DEMO] + small_options(2, work))
    out = run([
        sys.executable, 'tools/train.py', DEMO, '--resume',
        str(work / 'iter_2.pth')
    ] + small_options(3, tmp_path / 'work2'))
    assert 'resumed epoch: 0, iter: 2' in out
    assert 'Iter(train) [3/3]' in out


def test_two_process_cpu_training(tmp_path):
    work = tmp_path / 'dist'
    out = run([
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
        f'--master_port={free_port()}', 'tools/train.py', DEMO,
        '--launcher', 'pytorch'
    ] + small_options(3, work))
    assert 'Distributed training: True' in out
    assert 'GPU number: 2' in out  # mmengine's name for the world size
    assert "dist_cfg=dict(backend='gloo')" in out
    assert 'Iter(train) [3/3]' in out
    # 2 val samples shared by 2 ranks: one iteration each
    assert 'Iter(val) [1/1]' in out
    assert osp.isfile(work / 'iter_2.pth')
    assert 'mIoU' in out
