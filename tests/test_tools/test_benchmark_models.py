"""tools/analysis_tools/benchmark_models.py on tiny CPU shapes."""
import os.path as osp

import pytest
from helpers import REPO_ROOT, load_module

DEMO = osp.join(REPO_ROOT, 'configs', 'demo')
UPERNET = osp.join(DEMO, 'upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py')
GFFNET = osp.join(DEMO, 'gffnet_r18-tiny_1xb8-800iter_synthetic-96x96.py')


@pytest.fixture(scope='module')
def bench():
    return load_module('benchmark_models',
                       'tools/analysis_tools/benchmark_models.py')


def table_rows(text):
    return [
        [c.strip() for c in line.strip('|').split('|')]
        for line in text.splitlines()
        if line.startswith('| ') and not line.startswith(('| config', '| ---'))
    ]


def test_default_configs_exist(bench):
    for paper, configs in bench.DEFAULT_GROUPS.items():
        assert len(configs) == 2, paper
        for c in configs:
            assert osp.isfile(osp.join(REPO_ROOT, 'configs', c)), c


def test_two_demo_configs_in_process(bench, tmp_path):
    out = tmp_path / 'table.md'
    bench.main([
        UPERNET, GFFNET, '--shape', '24', '32', '--batch', '2', '--warmup',
        '0', '--repeat', '1', '--in-process', '--out',
        str(out)
    ])
    text = out.read_text()
    assert 'torch threads' in text and 'median of 1 after 0' in text
    rows = table_rows(text)
    assert [r[0] for r in rows] == [
        'upernet_r18-tiny_1xb8-800iter_synthetic-96x96',
        'gffnet_r18-tiny_1xb8-800iter_synthetic-96x96'
    ]
    for r in rows:
        assert r[1] == '24x32' and r[2] == '2'
        train_s, train_ips = float(r[3]), float(r[4])
        assert train_s > 0 and train_ips == pytest.approx(2 / train_s, 0.02)
        assert float(r[7]) > 0
        assert r[6] == '-' and r[10] == '-'  # no per-config RSS in-process
        assert r[11] == 'whole'
        # the synthetic base's flip TTA: two views of one image
        assert r[12].endswith('(2)')
    assert rows[0][5] == '1.00' and rows[0][9] == '1.00'


def test_crop_size_batches_and_tta_views(bench):
    from mmengine.registry import init_default_scope
    init_default_scope('mmseg')
    cfg = bench.load_config(UPERNET)
    assert bench.crop_size_of(cfg) == (96, 96)
    batch = bench.make_train_batch(cfg, 24, 20, 3)
    assert len(batch['inputs']) == 3
    assert tuple(batch['inputs'][0].shape) == (3, 24, 20)
    assert tuple(batch['data_samples'][0].gt_sem_seg.shape) == (24, 20)
    # GFF's multi-ratio TTA keeps its ratios around the benchmark shape
    gff = bench.load_config(
        osp.join(REPO_ROOT, 'configs', bench.DEFAULT_GROUPS['gff'][1]))
    assert bench.crop_size_of(gff) == (864, 864)
    data, views = bench.make_tta_batch(gff, 40, 40)
    assert views == 5
    # pseudo_collate: one list per view, of the batch's images
    shapes = sorted(tuple(view[0].shape[1:]) for view in data['inputs'])
    assert shapes[0] == (30, 30) and shapes[-1] == (70, 70)


def test_label_derived_fields_made(bench):
    """Gated-SCNN's boundary band comes from its train pipeline."""
    from mmengine.registry import init_default_scope
    init_default_scope('mmseg')
    cfg = bench.load_config(
        osp.join(REPO_ROOT, 'configs', bench.DEFAULT_GROUPS['gscnn'][1]))
    batch = bench.make_train_batch(cfg, 32, 32, 1)
    sample = batch['data_samples'][0]
    assert 'gt_edge_map' in sample
    assert tuple(sample.gt_edge_map.shape) == (32, 32)


def test_bad_arguments(bench):
    with pytest.raises(SystemExit):
        bench.parse_args(['--shape', '1', '2', '3'])
    with pytest.raises(SystemExit):
        bench.parse_args([UPERNET, '--papers', 'gff'])


def test_failed_config_reported(bench):
    ok = dict(
        config='configs/a.py',
        shape='8x8',
        batch=2,
        device='cpu',
        train_s=0.5,
        infer_s=0.25,
        train_peak_mb=100.,
        infer_peak_mb=80.,
        tta_s=None,
        tta_views=None,
        test_mode='whole')
    bad = dict(config='configs/b.py', error='ValueError: no crop size')
    args = bench.parse_args([])
    rows = table_rows(bench.markdown([('', [ok, bad])], args, True))
    assert rows[0][:7] == ['a', '8x8', '2', '0.500', '4.00', '1.00', '100']
    assert rows[1][:2] == ['b', 'failed: ValueError: no crop size']
    assert len(rows[1]) == len(rows[0])
