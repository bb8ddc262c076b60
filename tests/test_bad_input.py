"""Bad input gets a clear error: label values outside the classes name the
file and the values; --amp on a CPU-only machine says why it cannot run."""
import os
import os.path as osp
import subprocess
import sys

import cv2
import pytest
import torch
from camvid_fixture import make_segnet_camvid
from helpers import REPO_ROOT

CAMVID = osp.join(REPO_ROOT, 'configs', 'demo',
                  'pspnet_r18-d8_1xb4-400iter_camvid-180x240.py')


def train(args):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO_ROOT)
    proc = subprocess.run([sys.executable, 'tools/train.py', *args],
                          cwd=REPO_ROOT,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def options(root, work):
    return [
        '--work-dir',
        str(work), '--cfg-options', f'data_root={root}',
        f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=2', 'train_dataloader.batch_size=3',
        'default_hooks.logger.interval=1'
    ]


def test_label_out_of_range_names_file(tmp_path):
    root = tmp_path / 'camvid'
    make_segnet_camvid(root, n_train=3, n_val=1, size=(48, 64))
    bad = root / 'trainannot' / 'train_0001.png'
    label = cv2.imread(str(bad), cv2.IMREAD_UNCHANGED)
    label[:4, :4] = 12  # not a CamVid class, not the void label 11
    label[-2:, -2:] = 40
    cv2.imwrite(str(bad), label)
    rc, out = train([CAMVID] + options(root, tmp_path / 'work'))
    assert rc != 0
    msg = [line for line in out.splitlines() if 'label values' in line]
    assert msg, out[-3000:]
    assert str(bad) in msg[-1] and '[12, 40]' in msg[-1]
    assert 'outside 0..10' in msg[-1] and 'ignore_index=255' in msg[-1]
    assert 'out of bounds' not in out


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU path')
def test_amp_without_gpu_explains(tmp_path):
    rc, out = train([CAMVID, '--amp', '--work-dir', str(tmp_path)])
    assert rc == 1
    assert out.strip().splitlines()[-1].startswith(
        'error: --amp needs a CUDA GPU')
