"""tools/analysis_tools/plot_curves.py: scalars.json written by mmengine's
own LocalVisBackend, and one written by a real tools/train.py run."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import pytest
from helpers import REPO_ROOT, load_module

DEMO = osp.join(REPO_ROOT, 'configs', 'demo',
                'upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py')
# upstream noise when mmengine.visualization imports torch's jit helpers
pytestmark = [
    pytest.mark.filterwarnings('ignore:`torch.jit.script` is deprecated'),
    pytest.mark.filterwarnings('ignore:`torch.jit.interface` is deprecated'),
]


def load_tool():
    return load_module('plot_curves', 'tools/analysis_tools/plot_curves.py')


def write_run(work_dir, timestamp, train_steps=(), val_steps=()):
    """A run folder as the Runner lays it out, the records written by
    mmengine's LocalVisBackend (the backend a Runner's visualizer uses)."""
    from mmengine.visualization import LocalVisBackend
    backend = LocalVisBackend(
        save_dir=osp.join(str(work_dir), timestamp, 'vis_data'))
    for step in train_steps:
        backend.add_scalars(
            dict(
                lr=0.01 * (1 - step / 100),
                data_time=0.01,
                loss=3.0 / step,
                **{
                    'decode.loss_ce': 2.0 / step,
                    'aux.loss_ce': 1.0 / step,
                    'decode.acc_seg': 10.0 + step
                },
                time=0.1,
                iter=step,
                memory=100),
            step=step)
    for step in val_steps:
        backend.add_scalars(
            dict(
                aAcc=50.0 + step,
                mIoU=10.0 + step,
                mAcc=20.0 + step,
                data_time=0.01,
                time=0.05),
            step=step)
    backend.close()
    return osp.join(str(work_dir), timestamp, 'vis_data', 'scalars.json')


def test_backend_format_is_what_the_tool_reads(tmp_path):
    tool = load_tool()
    path = write_run(tmp_path, '20240101_000000', range(1, 11), (5, 10))
    records = tool.read_scalars(path)
    assert len(records) == 12
    train, val, by_epoch = tool.split_series(records)
    assert not by_epoch
    assert sorted(train) == sorted(
        ['lr', 'loss', 'decode.loss_ce', 'aux.loss_ce', 'decode.acc_seg'])
    assert sorted(val) == ['aAcc', 'mAcc', 'mIoU']  # timing left out
    assert train['loss'][4] == pytest.approx(0.75)
    assert train['lr'][10] == pytest.approx(0.009)
    assert val['mIoU'] == {5: 15.0, 10: 20.0}
    losses, lrs, others = tool.group_train_keys(train)
    assert losses == ['loss', 'decode.loss_ce', 'aux.loss_ce']
    assert lrs == ['lr'] and others == ['decode.acc_seg']

    out = str(tmp_path / 'curves.png')
    panels = tool.plot_curves(records, out)
    assert panels == [
        'loss', 'learning rate', 'training scalars', 'validation'
    ]
    png = cv2.imread(out)
    # 8 x 2.8 inches per panel at 100 dpi
    assert png.shape == (4 * 280, 800, 3)
    assert png.std() > 10  # not a blank canvas


def test_run_selection(tmp_path):
    tool = load_tool()
    first = write_run(tmp_path, '20240101_000000', range(1, 6), (5, ))
    resumed = write_run(tmp_path, '20240101_010000', range(6, 9), (8, ))
    # a later tools/test.py run into the same work dir: metrics only
    tested = write_run(tmp_path, '20240101_020000', (), (8, ))
    os.makedirs(tmp_path / '20240101_030000' / 'vis_data')  # empty run
    assert tool.choose_files(str(tmp_path)) == [resumed]
    assert tool.choose_files(tested) == [tested]
    files = tool.choose_files(str(tmp_path), all_runs=True)
    assert files == [first, resumed, tested]
    records = [r for f in files for r in tool.read_scalars(f)]
    train, val, _ = tool.split_series(records)
    assert sorted(train['loss']) == list(range(1, 9))
    assert val['mIoU'] == {5: 15.0, 8: 18.0}
    panels = tool.plot_curves(
        tool.read_scalars(tested), str(tmp_path / 'val_only.png'))
    assert panels == ['validation']
    with pytest.raises(ValueError, match='neither a work dir nor a file'):
        tool.choose_files(str(tmp_path / 'missing'))
    with pytest.raises(ValueError, match='no <timestamp>/vis_data'):
        tool.choose_files(str(tmp_path / '20240101_030000'))


def test_bad_line_names_file_and_line(tmp_path):
    tool = load_tool()
    path = tmp_path / 'scalars.json'
    path.write_text('{"lr": 0.1, "loss": 1.0, "step": 1}\n{"lr": 0.1,\n')
    with pytest.raises(ValueError, match='scalars.json:2'):
        tool.read_scalars(str(path))
    path.write_text('{"loss": 1.0}\n')
    with pytest.raises(ValueError, match='"step"'):
        tool.read_scalars(str(path))


def test_real_training_run(tmp_path):
    """tools/train.py for 4 iterations with validation at 2 and 4, then the
    tool as a user runs it."""
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO_ROOT)
    work = tmp_path / 'work'
    train = subprocess.run([
        sys.executable, 'tools/train.py', DEMO, '--work-dir',
        str(work), '--cfg-options', 'train_cfg.max_iters=4',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=4',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2',
        'train_dataloader.dataset.num_samples=8',
        'val_dataloader.dataset.num_samples=2', 'env_cfg.cudnn_benchmark=False'
    ],
                           cwd=REPO_ROOT,
                           env=env,
                           capture_output=True,
                           text=True,
                           timeout=600)
    assert train.returncode == 0, (train.stdout + train.stderr)[-3000:]
    out = tmp_path / 'curves.png'
    proc = subprocess.run([
        sys.executable, 'tools/analysis_tools/plot_curves.py',
        str(work), '--out',
        str(out)
    ],
                          cwd=REPO_ROOT,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'loss, learning rate, training scalars, validation' in proc.stdout
    png = cv2.imread(str(out))
    assert png is not None and png.shape == (4 * 280, 800, 3)

    tool = load_tool()
    (path, ) = tool.choose_files(str(work))
    train_s, val_s, _ = tool.split_series(tool.read_scalars(path))
    assert sorted(train_s['loss']) == [1, 2, 3, 4]
    assert sorted(val_s['mIoU']) == [2, 4]
    assert 'lr' in train_s and 'decode.loss_ce' in train_s
    with open(path) as f:
        first = json.loads(f.readline())
    assert first['step'] == 1 and 'lr' in first
