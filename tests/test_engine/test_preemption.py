"""SIGTERM in the middle of training: the iteration finishes, a checkpoint is
saved and loads, and --resume continues with the losses and learning rates
of an uninterrupted run (the reference: the same config run without a
signal)."""
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time

from helpers import REPO_ROOT

DEMO = osp.join(REPO_ROOT, 'configs', 'demo',
                'upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py')
MAX_ITERS = 8
LINE = re.compile(r'Iter\(train\) \[\s*(\d+)/\d+\]\s+lr: (\S+).*?'
                  r'\sloss: (\S+)')


def command(work_dir, *extra):
    return [
        sys.executable, 'tools/train.py', DEMO, '--work-dir',
        str(work_dir), *extra, '--cfg-options',
        f'train_cfg.max_iters={MAX_ITERS}',
        f'train_cfg.val_interval={MAX_ITERS}',
        'default_hooks.checkpoint.interval=100',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=8',
        'train_dataloader.dataset.num_samples=64',
        'val_dataloader.dataset.num_samples=2'
    ]


def env():
    return dict(
        os.environ,
        OMP_NUM_THREADS='1',
        PYTHONPATH=REPO_ROOT,
        PYTHONUNBUFFERED='1')


def iters(log):
    """{iteration: (lr, loss)} from mmengine's log lines."""
    return {int(i): (lr, loss) for i, lr, loss in LINE.findall(log)}


def test_sigterm_saves_and_resume_matches(tmp_path):
    from mmseg_gated.apis import load_checkpoint_file

    work = tmp_path / 'preempted'
    proc = subprocess.Popen(
        command(work),
        cwd=REPO_ROOT,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True)
    lines = []
    deadline = time.time() + 300
    for line in proc.stdout:
        lines.append(line)
        if LINE.search(line) and int(LINE.search(line).group(1)) == 2:
            proc.send_signal(signal.SIGTERM)
            break
        assert time.time() < deadline, ''.join(lines[-50:])
    lines.extend(proc.stdout)
    assert proc.wait(timeout=300) == 0
    log = ''.join(lines)
    stop = re.search(
        r'Received SIGTERM: stopped after iteration (\d+) '
        r'and saved (\S+)\.', log)
    assert stop, log[-3000:]
    k, path = int(stop.group(1)), stop.group(2)
    assert 2 <= k < MAX_ITERS, f'the signal arrived after training ({k})'
    assert max(iters(log)) == k  # nothing trained after the stop
    assert osp.basename(path) == f'iter_{k}.pth'
    ckpt = load_checkpoint_file(path)
    assert ckpt['meta']['iter'] == k and ckpt['state_dict']
    assert not [f for f in os.listdir(work) if f.endswith('.tmp')]

    resumed = subprocess.run(
        command(work, '--resume'),
        cwd=REPO_ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=600)
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert f'resumed epoch: 0, iter: {k}' in resumed.stdout

    unbroken = subprocess.run(
        command(tmp_path / 'unbroken'),
        cwd=REPO_ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=600)
    assert unbroken.returncode == 0, unbroken.stdout[-3000:]
    ref, got = iters(unbroken.stdout), iters(resumed.stdout)
    assert sorted(got) == list(range(k + 1, MAX_ITERS + 1))
    for i in range(1, k + 1):  # the preempted run's part
        assert iters(log)[i] == ref[i], i
    for i in got:  # the resumed part: same lr and loss as unbroken
        assert got[i] == ref[i], (i, got[i], ref[i])
