"""tools/train.py and tools/test.py end to end on the synthetic dataset:
train 2 iterations, resume for 2 more, test the checkpoint, and a
two-process CPU (gloo) run through torchrun with --launcher pytorch."""
import hashlib
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch
from helpers import REPO_ROOT

DEMO = osp.join(REPO_ROOT, 'configs', 'demo',
                'upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py')


def small_options(max_iters, work_dir):
    return [
        '--work-dir',
        str(work_dir),
        '--cfg-options',
        f'train_cfg.max_iters={max_iters}',
        f'train_cfg.val_interval={max_iters}',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1',
        'train_dataloader.batch_size=2',
        'train_dataloader.dataset.num_samples=8',
        'val_dataloader.dataset.num_samples=2',
        'env_cfg.cudnn_benchmark=False',
    ]


def run(args, expect_rc=0, **kw):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO_ROOT)
    proc = subprocess.run(
        args,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        **kw)
    out = proc.stdout + proc.stderr
    assert proc.returncode == expect_rc, out[-5000:]
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

    from mmseg_gated.apis import load_checkpoint_file
    with pytest.raises(pickle.UnpicklingError):
        torch.load(work / 'iter_4.pth', map_location='cpu')
    ckpt = load_checkpoint_file(str(work / 'iter_4.pth'), 'cpu')
    assert ckpt['meta']['iter'] == 4
    assert 'state_dict' in ckpt and 'message_hub' in ckpt

    show, pred = tmp_path / 'show', tmp_path / 'pred'
    out3 = run([
        sys.executable, 'tools/test.py', DEMO,
        str(work / 'iter_4.pth'), '--work-dir',
        str(tmp_path / 'test'), '--tta', '--show-dir',
        str(show), '--show-interval', '1', '--out',
        str(pred), '--cfg-options', 'test_dataloader.dataset.num_samples=2'
    ])
    assert 'Load checkpoint from' in out3
    assert 'mIoU' in out3
    # --show-dir painted both test images, --out wrote both predictions
    painted = [
        f for _, _, fs in os.walk(show) for f in fs if f.endswith('.png')
    ]
    assert len(painted) == 2, out3[-3000:]
    assert sorted(os.listdir(pred)) == ['000000.png', '000001.png']

    # mmseg's own API in a plain process: the config's custom_imports alone
    # lets MMSegInferencer and init_model read the Runner checkpoint
    script = f"""
from mmseg.apis import MMSegInferencer, init_model, inference_model
ckpt = {str(work / 'iter_4.pth')!r}
infer = MMSegInferencer(model={DEMO!r}, weights=ckpt, device='cpu')
img = {str(tmp_path / 'img.png')!r}
res = infer(img, return_datasamples=True)
print('inferencer', tuple(res.pred_sem_seg.data.shape))
model = init_model({DEMO!r}, ckpt, device='cpu')
print('init_model', tuple(inference_model(model, img).pred_sem_seg.shape))
"""
    import cv2
    import numpy as np
    cv2.imwrite(
        str(tmp_path / 'img.png'),
        np.random.default_rng(0).integers(0, 255, (70, 90, 3), dtype=np.uint8))
    out4 = subprocess.run([sys.executable, '-c', script],
                          cwd=str(tmp_path),
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert out4.returncode == 0, out4.stderr[-3000:]
    assert 'inferencer (1, 70, 90)' in out4.stdout
    assert 'init_model (70, 90)' in out4.stdout
    assert 'without executing pickled code' in out4.stdout + out4.stderr


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """A work dir with a 2-iteration Runner checkpoint, shared read-only."""
    work = tmp_path_factory.mktemp('trained') / 'work'
    run([sys.executable, 'tools/train.py', DEMO] + small_options(2, work))
    return work


def test_resume_explicit_checkpoint(trained, tmp_path):
    work = trained
    resume = [
        sys.executable, 'tools/train.py', DEMO, '--resume',
        str(work / 'iter_2.pth')
    ] + small_options(3, tmp_path / 'work2')
    # outside the new run's work dir: a full unpickle needs explicit trust
    refused = run(resume, expect_rc=1)
    assert '--trust-checkpoint' in refused and 'outside' in refused
    out = run(resume + ['--trust-checkpoint'])
    assert 'trusted, named with --trust-checkpoint' in out
    assert 'resumed epoch: 0, iter: 2' in out
    assert 'Iter(train) [3/3]' in out

    # a weights-only release file: plain torch.load(weights_only=True) and
    # mmseg's init_model read it
    out = run([
        sys.executable, 'tools/publish_model.py',
        str(work / 'iter_2.pth'),
        str(tmp_path / 'demo.pth')
    ])
    published = [f for f in os.listdir(tmp_path) if f.startswith('demo-')]
    assert len(published) == 1, out
    name = published[0]
    sha = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
    assert name == f'demo-{sha[:8]}.pth'
    ckpt = torch.load(tmp_path / name, map_location='cpu', weights_only=True)
    assert set(ckpt) == {'state_dict', 'meta'}
    assert ckpt['meta']['iter'] == 2
    from mmseg.apis import init_model
    model = init_model(DEMO, str(tmp_path / name), device='cpu')
    src = torch.load(
        work / 'iter_2.pth', map_location='cpu',
        weights_only=False)['state_dict']
    for k, v in model.state_dict().items():
        assert torch.equal(v, src[k]), k


def test_wrong_checkpoint_stops_test(trained, tmp_path):
    """A UPerHead checkpoint tested with the GFF demo config: an error naming
    the fraction loaded, unless --allow-partial."""
    work = trained
    gff = osp.join(REPO_ROOT, 'configs', 'demo',
                   'gffnet_r18-tiny_1xb8-800iter_synthetic-96x96.py')
    cmd = [
        sys.executable, 'tools/test.py', gff,
        str(work / 'iter_2.pth'), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options',
        'test_dataloader.dataset.num_samples=2'
    ]
    out = run(cmd, expect_rc=1)
    assert "of the model's parameters" in out and 'missing:' in out
    assert 'does not fit this model' in out and 'aAcc' not in out
    out = run(cmd + ['--allow-partial'])
    assert 'aAcc' in out


def test_two_process_cpu_training(tmp_path):
    work = tmp_path / 'dist'
    out = run([
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
        f'--master_port={free_port()}', 'tools/train.py', DEMO, '--launcher',
        'pytorch'
    ] + small_options(3, work))
    assert 'Distributed training: True' in out
    assert 'GPU number: 2' in out  # mmengine's name for the world size
    assert "dist_cfg=dict(backend='gloo')" in out
    assert 'Iter(train) [3/3]' in out
    # 2 val samples shared by 2 ranks: one iteration each
    assert 'Iter(val) [1/1]' in out
    assert osp.isfile(work / 'iter_2.pth')
    assert 'mIoU' in out
