"""BadSampleHook: off, a bad file stops training as before; on, bad samples
are skipped through mmengine's refetch (also from a data loader worker),
logged, summarised and capped by max_bad_samples."""
import itertools
import os.path as osp
import re
from types import SimpleNamespace

import pytest
from bad_dataset import dataset_cfg, make_bad_dataset
from helpers import REPO_ROOT
from mmengine.config import Config
from mmengine.runner import Runner
from mmseg.registry import DATASETS
from mmseg.structures import SegDataSample

from mmseg_gated.engine import setup_bad_sample_skipping
from mmseg_gated.engine.hooks import BadSampleHook, BadSampleLimitError

DEMO = osp.join(REPO_ROOT, 'configs', 'demo',
                'upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py')
_names = itertools.count()


def config(tmp_path, root, workers=0, **hook):
    cfg = Config.fromfile(DEMO)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = cfg.visualizer.name = f'bad{next(_names)}'
    cfg.model.data_preprocessor.size = (64, 64)
    cfg.model.decode_head.num_classes = 3
    cfg.train_dataloader = dict(
        batch_size=2,
        num_workers=workers,
        sampler=dict(type='InfiniteSampler', shuffle=False),
        dataset=dataset_cfg(root))
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=4)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint.interval = 100
    cfg.default_hooks.pop('visualization')  # (draw=False: a warning only)
    cfg.default_hooks.logger.interval = 1
    for h in cfg.custom_hooks:
        if h.type == 'BadSampleHook':
            h.update(hook)
    return cfg


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('bad') / 'data'
    return root, make_bad_dataset(
        root, good=4, problems=('nolabel', 'undecodable'))['files']


def test_off_by_default_stops(data):
    root, files = data
    assert not setup_bad_sample_skipping(Config.fromfile(DEMO))
    dataset = DATASETS.build(dataset_cfg(root))
    names = [
        osp.basename(dataset.get_data_info(i)['img_path'])
        for i in range(len(dataset))
    ]
    with pytest.raises(AssertionError, match='failed to load image'):
        dataset[names.index('undecodable.jpg')]


def test_refetch_carries_the_record(data):
    """A bad index gives another sample (mmengine's refetch), which carries
    the skipped file and the reason."""
    root, files = data
    cfg = Config(
        dict(
            custom_hooks=[dict(type='BadSampleHook', enabled=True)],
            train_dataloader=dict(dataset=dataset_cfg(root))))
    assert setup_bad_sample_skipping(cfg)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    names = [
        osp.basename(dataset.get_data_info(i)['img_path'])
        for i in range(len(dataset))
    ]
    sample = dataset[names.index('nolabel.jpg')]
    meta = sample['data_samples'].metainfo
    assert meta['img_path'] != files['nolabel']
    records = meta['bad_samples']  # the draw may hit the other bad file
    path, reason = records[0]
    assert path == files['nolabel'] and 'FileNotFoundError' in reason
    assert {p for p, _ in records} <= set(files.values())
    assert 'bad_samples' not in dataset[0]['data_samples'].metainfo


def test_training_skips_logs_summarises(tmp_path, data, capsys):
    """A short run, loading in a worker process: every bad file is logged,
    summarised every 2 iterations, and training completes."""
    root, files = data
    cfg = config(tmp_path, root, workers=1, enabled=True, interval=2)
    assert setup_bad_sample_skipping(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()
    out = capsys.readouterr().out
    hook = [h for h in runner.hooks if type(h).__name__ == 'BadSampleHook']
    assert hook[0].total >= 2, out
    for name in ('nolabel', 'undecodable'):
        assert re.search(
            r'Skipped a bad training sample at iteration \d: '
            rf'{re.escape(files[name])} \(', out), out
    assert 'AssertionError: failed to load image' in out
    summary = re.search(
        r'BadSampleHook: (\d+) bad sample\(s\) skipped in iterations 3-4 '
        r'\(\d+ in the run, max_bad_samples=10\):\n(.*?)\n\d\d/', out, re.S)
    assert summary, out[-3000:]
    assert int(summary.group(1)) == hook[0].total
    listed = summary.group(2).splitlines()
    assert len(listed) == 2 and all(
        files['nolabel'] in line or files['undecodable'] in line
        for line in listed), listed
    assert 'Iter(train) [4/4]' in out


def test_cap_stops_the_run():
    hook = BadSampleHook(enabled=True, max_bad_samples=1)
    runner = SimpleNamespace(iter=0)

    def batch(*paths):
        sample = SegDataSample()
        sample.set_metainfo(
            dict(bad_samples=[(p, 'OSError: broken') for p in paths]))
        return dict(data_samples=[sample, SegDataSample()])

    hook.before_train_iter(runner, 0, batch('a.jpg'))
    hook.before_train_iter(runner, 1, batch())
    runner.iter = 2
    with pytest.raises(BadSampleLimitError) as e:
        hook.before_train_iter(runner, 2, batch('b.jpg'))
    msg = str(e.value)
    assert msg.startswith('2 training samples failed to load, more than '
                          'max_bad_samples=1; stopped at iteration 3.')
    assert '  a.jpg: OSError: broken\n  b.jpg: OSError: broken' in msg
