"""Fake-layout sweep: every config under configs/ runs its own data path on a
tiny fake dataset in the real folder layout (tests/fake_layouts.py).

For each config: one training iteration followed by a validation
(``Runner.train`` with the config's train loop cut to one iteration), then
``tools/test.py`` (its ``main``, in-process, on the config written to a
file), ``tools/test.py --out DIR`` and ``tools/test.py --tta``, all through
the config's own datasets, pipelines, samplers, evaluators, TTA pipeline and
TTA model, its custom hooks (LabelCheckHook, CheckpointCoverageHook ...) and
its data preprocessor. Configs whose ``model`` is already a TTA wrapper
(evaluation-only configs) run ``tools/test.py`` with and without ``--out``
(``--tta`` would wrap their TTA model in a second one).

What the sweep overrides (the rest of each config is kept as it is):

- model: a tiny EncoderDecoder (ResNetV1c-18 with 4 channels, stride 4, and
  FCN heads without convolutions) replaces the real network (that every
  model builds and trains is tests/test_configs/test_configs.py's job).
  Kept: the TTA wrapper (``model.type='SegTTAModel'``), the config's
  ``data_preprocessor`` (with ``size`` shrunk), ``test_cfg`` (slide
  ``crop_size``/``stride`` shrunk), every ``num_classes`` found anywhere in
  the model (the decode head gets the decode head's; one auxiliary head per
  other value, e.g. of auxiliary heads or supervised gates) and the decode
  head's ``ignore_index``. Loss: plain cross-entropy, so a label outside a
  head's classes raises; a hook also checks every batch's labels against
  each head's classes and each dataset's class count against them.
- sizes: every ``scale``/``scales``/``crop_size``/``img_scale``/``size`` in
  the pipelines (TTA included), the preprocessor's ``size``, the slide
  window and SyntheticSegDataset's ``img_size`` are divided by one factor
  per config (the largest pipeline scale over 64), so a 2048x1024 test
  scale becomes 64x32 and an 864 crop 27; ratios, scale factors, flips,
  photometric settings, boundary radii and metric thresholds are kept.
- data: relative ``data_root`` resolved against the fake tree;
  SyntheticSegDataset's ``num_samples`` capped at 3; ``num_workers=0``,
  ``persistent_workers=False``, ``serialize_data=False``.
- run: ``max_iters=1`` (or ``max_epochs=1``) with ``val_interval=1``;
  optimizer plain SGD (the configs' ``paramwise_cfg`` name real modules)
  without ``param_scheduler``;
  a checkpoint after the iteration, which the test workflows load (the
  config's ``load_from``/``resume`` are dropped; evaluation-only configs
  load the tiny model's initial weights, saved the same way); relative metric
  ``output_dir`` under the work dir; log level WARNING; seed 0.
- cityscapesscripts: when it is not installed, mmseg's CityscapesMetric
  and our CityscapesIIoUMetric get a stub: the label table (trainId ->
  labelId from the Cityscapes definition) and an evaluation that checks the
  prediction and ground-truth files (labelIds, instanceIds) exist.

Configs whose tiny versions are identical (same data, evaluators, TTA,
classes, preprocessor, test mode) form one group, run once; the test ids
name the group's first config and how many more it stands for. Speed (the
whole sweep takes about 20 s on 2 busy cores): configs are read without
mmengine's metafile scan, the Runner's config text is not yapf-formatted,
torch uses one thread, and the fake datasets are written once per session.
"""
import copy
import glob
import json
import os
import os.path as osp
import sys
import traceback
import types
from unittest import mock

import pytest
import torch
from fake_layouts import CITYSCAPES_TRAIN_TO_ID, write_fake_layouts
from helpers import REPO_ROOT, load_module, tiny_resnet_v1c
from mmengine.config import Config
from mmengine.hooks import Hook
from mmseg.registry import HOOKS

CONFIGS = sorted(
    p for p in glob.glob(
        osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p.split(osp.sep))

pytestmark = [
    # upstream: mmseg's SegVisualizationHook warns whenever draw=False (the
    # configs' default) and its SegTTAModel stores 2-D predictions
    pytest.mark.filterwarnings('ignore:The draw is False'),
    pytest.mark.filterwarnings('ignore:The shape of value will convert'),
    # upstream: mmseg's own ADE20K / Pascal Context / COCO-Stuff bases pass
    # reduce_zero_label to LoadAnnotations, which warns about it
    pytest.mark.filterwarnings('ignore:`reduce_zero_label` will be deprecated'
                               ),
]

TINY_LONG_SIDE = 64  # the largest pipeline scale maps to this many pixels
SIZE_KEYS = ('scale', 'scales', 'crop_size', 'img_scale', 'size')
RUNNER_KEYS = ('default_scope', 'custom_imports', 'model', 'train_dataloader',
               'val_dataloader', 'test_dataloader', 'train_cfg', 'val_cfg',
               'test_cfg', 'val_evaluator', 'test_evaluator', 'tta_model',
               'tta_pipeline', 'optim_wrapper', 'default_hooks',
               'custom_hooks', 'env_cfg', 'visualizer', 'log_processor',
               'log_level', 'randomness', 'launcher')


@HOOKS.register_module(name='SweepLabelRangeHook', force=True)
class SweepLabelRangeHook(Hook):
    """Every head's classes must match the dataset's, and every label be a
    class of every head or its ``ignore_index``."""
    priority = 'VERY_HIGH'

    def __init__(self, num_classes, ignore_index=255):
        self.num_classes = list(num_classes)
        self.ignore_index = ignore_index

    def _check_classes(self, dataloader, split):
        classes = dataloader.dataset.metainfo.get('classes')
        assert classes is not None, f'{split} dataset has no classes'
        for nc in self.num_classes:
            assert nc == len(classes), (
                f'a head with num_classes={nc} on the {split} dataset '
                f'{type(dataloader.dataset).__name__} with {len(classes)} '
                'classes')

    def _check_labels(self, data_batch):
        samples = data_batch.get('data_samples', [])
        while samples and isinstance(samples[0], (list, tuple)):  # TTA
            samples = [s for group in samples for s in group]
        for sample in samples:
            if 'gt_sem_seg' not in sample:
                continue
            values = torch.unique(sample.gt_sem_seg.data)
            values = values[values != self.ignore_index]
            bad = values[(values < 0) | (values >= min(self.num_classes))]
            path = sample.metainfo.get('seg_map_path')
            assert bad.numel() == 0, (
                f'labels {bad.tolist()} in {path} are outside the heads\' '
                f'classes {self.num_classes} and not '
                f'ignore_index={self.ignore_index}')

    def before_train(self, runner):
        self._check_classes(runner.train_dataloader, 'train')

    def before_val(self, runner):
        self._check_classes(runner.val_dataloader, 'val')

    def before_test(self, runner):
        self._check_classes(runner.test_dataloader, 'test')

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self._check_labels(data_batch)

    def before_val_iter(self, runner, batch_idx, data_batch=None):
        self._check_labels(data_batch)

    def before_test_iter(self, runner, batch_idx, data_batch=None):
        self._check_labels(data_batch)


# ---------------------------------------------------------------- helpers


def _walk(obj, fn):
    """Apply ``fn(dict)`` to every dict inside ``obj`` (depth first)."""
    if isinstance(obj, dict):
        fn(obj)
        for v in obj.values():
            _walk(v, fn)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _walk(v, fn)


def _long_sides(obj, key=None):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _long_sides(v, k)
    elif isinstance(obj, (list, tuple)):
        if key == 'scale' and obj and all(isinstance(v, int) for v in obj):
            yield max(obj)
        else:
            for v in obj:
                yield from _long_sides(v, key)
    elif key == 'scale' and isinstance(obj, int):
        yield obj


def _shrink(value, factor):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return max(1, int(round(value / factor)))
    if isinstance(value, (list, tuple)):
        return type(value)(_shrink(v, factor) for v in value)
    return value


def _shrink_sizes(obj, factor):
    """Divide the sizes (SIZE_KEYS) of every transform in ``obj``."""

    def fn(d):
        for k in SIZE_KEYS:
            if k in d and 'type' in d:
                d[k] = _shrink(d[k], factor)

    _walk(obj, fn)


def _datasets(loader):
    """Every dataset dict of a dataloader (ConcatDataset members too)."""
    found = []
    _walk(
        loader.get('dataset', {}), lambda d: found.append(d)
        if 'pipeline' in d else None)
    return found


def _model_num_classes(model):
    """(decode head num_classes, other distinct values, ignore_index)."""
    head = model.get('decode_head')
    if isinstance(head, (list, tuple)):
        head = head[-1]
    values = []
    _walk(
        model, lambda d: values.append(int(d['num_classes']))
        if isinstance(d.get('num_classes'), int) else None)
    main = int(head['num_classes'])
    others = sorted(set(values) - {main})
    return main, others, head.get('ignore_index', 255)


def _tiny_head(num_classes, ignore_index):
    return dict(
        type='FCNHead',
        in_channels=4,
        channels=4,
        num_convs=0,
        concat_input=False,
        in_index=0,
        dropout_ratio=0,
        num_classes=num_classes,
        ignore_index=ignore_index,
        norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=1.0, avg_non_ignore=True))


def _tiny_model(model, factor):
    main, others, ignore_index = _model_num_classes(model)
    preproc = copy.deepcopy(model.get('data_preprocessor'))
    if preproc is not None and preproc.get('size') is not None:
        preproc['size'] = _shrink(tuple(preproc['size']), factor)
    test_cfg = dict(copy.deepcopy(model.get('test_cfg') or dict(mode='whole')))
    if test_cfg.get('mode') == 'slide':
        test_cfg['crop_size'] = _shrink(tuple(test_cfg['crop_size']), factor)
        test_cfg['stride'] = tuple(
            min(max(1, s), c) for s, c in zip(
                _shrink(tuple(test_cfg['stride']), factor),
                test_cfg['crop_size']))
    tiny = dict(
        type='EncoderDecoder',
        data_preprocessor=preproc,
        backbone=tiny_resnet_v1c(
            num_stages=1, strides=(1, ), dilations=(1, ), out_indices=(0, )),
        decode_head=_tiny_head(main, ignore_index),
        train_cfg=dict(),
        test_cfg=test_cfg)
    if others:
        tiny['auxiliary_head'] = [
            _tiny_head(nc, ignore_index) for nc in others
        ]
    return tiny, [main] + others, ignore_index


def prepare(path):
    """The sweep's version of a config, as a plain dict with the config's
    relative paths (see the module docstring for what changes)."""
    cfg = Config.fromfile(path).to_dict()
    pipelines = dict(
        tta_pipeline=cfg.get('tta_pipeline'),
        **{
            k: cfg.get(k)
            for k in ('train_dataloader', 'val_dataloader', 'test_dataloader')
        })
    sides = list(_long_sides(pipelines))
    factor = max(1.0, max(sides, default=TINY_LONG_SIDE) / TINY_LONG_SIDE)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'tta_pipeline'):
        if cfg.get(key) is not None:
            _shrink_sizes(cfg[key], factor)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader is None:
            continue
        loader['num_workers'] = 0
        loader['persistent_workers'] = False
        for ds in _datasets(loader):
            # mmengine's serialisation runs gc.collect() per dataset (0.5 s
            # in a test process); the samples are the same without it
            ds['serialize_data'] = False
            if 'num_samples' in ds:  # SyntheticSegDataset
                ds['num_samples'] = min(ds['num_samples'], 3)
            if 'img_size' in ds:
                ds['img_size'] = _shrink(tuple(ds['img_size']), factor)
                ds['img_size'] = tuple(max(16, s) for s in ds['img_size'])

    model = cfg['model']
    wrapped = 'module' in model
    inner = model['module'] if wrapped else model
    tiny, num_classes, ignore_index = _tiny_model(inner, factor)
    cfg['model'] = dict(model, module=tiny) if wrapped else tiny
    if cfg.get('train_cfg') and not wrapped:
        loop = cfg['train_cfg']
        if 'max_epochs' in loop:
            loop.update(max_epochs=1, val_interval=1)
        else:
            loop.update(type='IterBasedTrainLoop', max_iters=1, val_interval=1)
    if cfg.get('optim_wrapper') is not None:
        cfg['optim_wrapper'] = dict(
            type='OptimWrapper',
            optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0))
    hooks = cfg.setdefault('default_hooks', {})
    hooks['checkpoint'] = dict(
        type='CheckpointHook', by_epoch=False, interval=1, max_keep_ckpts=1)
    hooks['logger'] = dict(type='LoggerHook', interval=1)
    cfg['custom_hooks'] = list(cfg.get('custom_hooks', [])) + [
        dict(
            type='SweepLabelRangeHook',
            num_classes=num_classes,
            ignore_index=ignore_index)
    ]
    cfg['log_level'] = 'WARNING'
    cfg['randomness'] = dict(seed=0)
    cfg['launcher'] = 'none'
    # only what the Runner and tools/test.py read (a config's own variables
    # such as ``crop_size`` or ``train_pipeline`` are already substituted)
    return {k: cfg[k] for k in RUNNER_KEYS if k in cfg}


def signature(cfg):
    return json.dumps(cfg, sort_keys=True, default=repr)


def resolve(cfg, fake_root, work_dir, name):
    """Point the relative data roots at the fake tree and the outputs at the
    work dir."""
    cfg = copy.deepcopy(cfg)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key) is not None:
            for ds in _datasets(cfg[key]):
                root = ds.get('data_root')
                if root is not None and not osp.isabs(root):
                    ds['data_root'] = osp.join(fake_root, root)

    def outputs(d):
        out = d.get('output_dir')
        if isinstance(out, str) and not osp.isabs(out):
            d['output_dir'] = osp.join(work_dir, out)

    for key in ('val_evaluator', 'test_evaluator'):
        _walk(cfg.get(key), outputs)
    cfg['work_dir'] = work_dir
    cfg['experiment_name'] = name
    if cfg.get('visualizer') is not None:
        # one visualizer instance per run (mmengine keeps them by name)
        cfg['visualizer']['name'] = name
    return Config(cfg)


def _groups():
    groups = {}
    prepared = []
    for path in CONFIGS:  # conftest made mmseg:: bases fast (fast_config)
        try:
            cfg = prepare(path)
            prepared.append((path, cfg, signature(cfg)))
        except Exception as e:  # reported by the sweep as a failure
            prepared.append((path, repr(e), f'error:{path}'))
    for path, cfg, key in prepared:
        groups.setdefault(key,
                          (cfg, []))[1].append(osp.relpath(path, REPO_ROOT))
    return [(cfg, paths) for cfg, paths in groups.values()]


GROUPS = _groups()
WORKFLOWS = ('train-val', 'test', 'test-out', 'test-tta')


def _cases():
    cases = []
    for gi, (cfg, paths) in enumerate(GROUPS):
        if isinstance(cfg, str):
            cases.append(pytest.param(gi, 'prepare', id=paths[0]))
            continue
        wrapped = 'module' in cfg['model']
        for wf in WORKFLOWS:
            if wrapped and wf in ('train-val', 'test-tta'):
                # evaluation-only configs: their model is the TTA model
                continue
            name = f'{paths[0]}(+{len(paths) - 1})-{wf}'
            cases.append(pytest.param(gi, wf, id=name))
    return cases


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope='session')
def fake_root(tmp_path_factory):
    """All fake datasets, written once per session."""
    return write_fake_layouts(tmp_path_factory.mktemp('fake_layouts'))


@pytest.fixture(scope='module')
def test_tool():
    return load_module('sweep_tools_test',
                       osp.join(REPO_ROOT, 'tools', 'test.py'))


def _cityscapes_stub():
    """Stand-ins for the two cityscapesscripts modules that mmseg's
    CityscapesMetric and our CityscapesIIoUMetric use: the label table
    (trainId -> labelId) and an evaluation that checks that every
    prediction and ground-truth file it is given exists (labelIds and
    instanceIds) and reports zeros."""
    labels = types.SimpleNamespace(
        trainId2label={
            train_id: types.SimpleNamespace(id=label_id, trainId=train_id)
            for train_id, label_id in enumerate(CITYSCAPES_TRAIN_TO_ID)
        })

    def evaluate(pred_list, gt_list, args):
        for pred, gt in zip(pred_list, gt_list):
            for path in (pred, gt, gt.replace('_labelIds', '_instanceIds')):
                assert osp.isfile(path), f'cityscapesscripts: no {path}'
        return {
            k: 0.
            for k in ('averageScoreClasses', 'averageScoreInstClasses',
                      'averageScoreCategories', 'averageScoreInstCategories')
        }

    evaluation = types.SimpleNamespace(
        args=types.SimpleNamespace(), evaluateImgLists=evaluate)
    return labels, evaluation


@pytest.fixture(scope='module', autouse=True)
def _one_thread():
    """Tiny tensors: one intra-op thread (two threads doubled the sweep's
    time on a busy 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module', autouse=True)
def _unformatted_config_text():
    """The Runner renders its config with yapf four times per run (the
    dumped config, the log, the message hub, the checkpoint's meta), 2-3 s
    per run here; the sweep keeps mmengine's text unformatted (same
    content, still valid Python)."""
    import mmengine.config.config as mm_config
    with mock.patch.object(mm_config, 'FormatCode', lambda text, **kwargs:
                           (text, False)):
        yield


@pytest.fixture(scope='module', autouse=True)
def _cityscapes_metric():
    from mmseg.evaluation.metrics import citys_metric

    from mmseg_gated.evaluation.metrics import cityscapes_iiou
    if cityscapes_iiou._cityscapes_eval() is not None:
        yield  # the real package
        return
    labels, evaluation = _cityscapes_stub()
    with mock.patch.object(citys_metric, 'CSLabels', labels), \
            mock.patch.object(citys_metric, 'CSEval', evaluation), \
            mock.patch.object(cityscapes_iiou, '_cityscapes_eval',
                              lambda: evaluation):
        yield


_CHECKPOINTS = {}


def _checkpoint(gi, cfg, tmp_dir):
    """The group's training checkpoint, or (evaluation-only configs, or a
    failed training) the tiny model's initial weights saved the same way."""
    if gi in _CHECKPOINTS:
        return _CHECKPOINTS[gi]
    from mmengine.runner import save_checkpoint
    from mmseg.registry import MODELS
    model_cfg = cfg['model'].get('module', cfg['model'])
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(model_cfg))
    path = osp.join(tmp_dir, 'init.pth')
    save_checkpoint(dict(state_dict=model.state_dict(), meta={}), path)
    return path


# ---------------------------------------------------------------- tests


def test_groups_cover_every_config():
    covered = sorted(p for _, paths in GROUPS for p in paths)
    assert covered == sorted(osp.relpath(p, REPO_ROOT) for p in CONFIGS)
    assert len(CONFIGS) > 0


@pytest.mark.parametrize('gi,workflow', _cases())
def test_layout_sweep(gi, workflow, fake_root, test_tool, tmp_path):
    cfg, paths = GROUPS[gi]
    if workflow == 'prepare':
        pytest.fail(f'{paths[0]}: the sweep could not read it: {cfg}')
    name = f'sweep{gi}_{workflow}'
    work_dir = str(tmp_path / 'work')
    try:
        if workflow == 'train-val':
            from mmengine.runner import Runner
            runner = Runner.from_cfg(resolve(cfg, fake_root, work_dir, name))
            runner.train()
            ckpt = osp.join(work_dir, 'iter_1.pth')
            if not osp.isfile(ckpt):
                ckpt = osp.join(work_dir, 'epoch_1.pth')
            assert osp.isfile(ckpt), os.listdir(work_dir)
            _CHECKPOINTS[gi] = ckpt
            return
        ckpt = _checkpoint(gi, cfg, str(tmp_path))
        config_file = str(tmp_path / f'{name}.py')
        resolve(cfg, fake_root, work_dir, name).dump(config_file)
        argv = [config_file, ckpt, '--work-dir', work_dir]
        out_dir = str(tmp_path / 'out')
        if workflow == 'test-out':
            argv += ['--out', out_dir]
        if workflow == 'test-tta':
            argv += ['--tta']
        old_argv = sys.argv
        sys.argv = ['tools/test.py'] + argv
        try:
            test_tool.main()
        finally:
            sys.argv = old_argv
        if workflow == 'test-out':
            written = [
                f for _, _, files in os.walk(out_dir) for f in files
                if f.endswith('.png')
            ]
            assert written, f'--out wrote no predictions to {out_dir}'
    except BaseException as e:  # SystemExit from the tool included
        if isinstance(e, (KeyboardInterrupt, pytest.fail.Exception)):
            raise
        frames = traceback.extract_tb(e.__traceback__)[-3:]
        where = ' <- '.join(f'{osp.basename(f.filename)}:{f.lineno} {f.name}'
                            for f in reversed(frames))
        raise AssertionError(f'{workflow} failed for {paths}: '
                             f'{type(e).__name__}: {e} (at {where})') from e


# ------------------------------------------- the checks above can fail


def _group_with(dataset_type):
    for cfg, paths in GROUPS:
        if isinstance(cfg, str) or 'module' in cfg['model']:
            continue
        types_ = {d['type'] for d in _datasets(cfg['train_dataloader'])}
        if types_ == {dataset_type}:
            return copy.deepcopy(cfg)
    pytest.skip(f'no trainable config on {dataset_type} left')


@pytest.mark.parametrize('label_hooks', [True, False])
def test_sweep_fails_on_class_count(label_hooks, fake_root, tmp_path):
    """A 65-class head on mmseg's 66-class MapillaryDataset_v1 (label 65 is
    a class there, not ignored) fails: through the sweep's label check and,
    without the hooks, through the cross-entropy itself."""
    from mmengine.runner import Runner
    cfg = _group_with('MapillaryDataset_v1')
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for ds in _datasets(cfg[key]):
            ds.pop('metainfo', None)  # mmseg's 66 classes
    cfg['model']['decode_head']['num_classes'] = 65
    cfg['model'].pop('auxiliary_head', None)
    cfg['custom_hooks'] = [
        dict(h, num_classes=[65]) for h in cfg['custom_hooks']
        if h['type'] == 'SweepLabelRangeHook'
    ] if label_hooks else []
    runner = Runner.from_cfg(
        resolve(cfg, fake_root, str(tmp_path), f'classes{label_hooks}'))
    match = 'num_classes=65' if label_hooks else 'out of bounds'
    with pytest.raises((AssertionError, IndexError), match=match):
        runner.train()


def test_sweep_fails_on_missing_annotations(fake_root, test_tool, tmp_path):
    """Test images have no gtFine: a TTA pipeline that loads annotations for
    them fails (the GFF test-set configs' ``--tta`` as they were once)."""
    cfg = _group_with('CityscapesDataset')
    cfg['test_dataloader']['dataset'].update(
        data_prefix=dict(
            img_path='leftImg8bit/test', seg_map_path='gtFine/val'))
    assert any(
        t.get('type') == 'LoadAnnotations'
        for step in cfg['tta_pipeline'][-1]['transforms'] for t in step)
    cfg_file = str(tmp_path / 'missing.py')
    resolve(cfg, fake_root, str(tmp_path), 'missing').dump(cfg_file)
    ckpt = _checkpoint(-1, cfg, str(tmp_path))
    old_argv = sys.argv
    sys.argv = ['tools/test.py', cfg_file, ckpt, '--tta']
    try:
        with pytest.raises(FileNotFoundError, match='gtFine/val/berlin'):
            test_tool.main()
    finally:
        sys.argv = old_argv
