"""model-index.yml and the per-paper metafiles: mmsegmentation's metafile
schema for every entry, the papers' figures kept apart from what was
measured here, and the authors' released checkpoints with their origin and
convert command.

Schema (mmseg's ``configs/*/metafile.yaml``, plus three keys of ours):

- ``Collections``: ``Name``, ``License``, ``Metadata.Training Data``,
  ``Paper`` (``Title``, ``URL``), ``README``, ``Frameworks``.
- ``Models``: ``Name`` (the config's file name), ``In Collection``,
  ``Config``, ``Metadata`` (``Training Data``, ``Batch Size``,
  ``Architecture``, ``Training Resources``, optional ``Memory (GB)``),
  ``Weights``, ``Training log`` (null: no trained weights are published),
  ``Paper``, ``Code``; optional ``Results`` (only measurements of this
  repository, each with a ``Measurement`` note), ``Paper Results`` (the
  paper's figures), ``Notes`` (why there are none) and ``Converted From``
  (``Weights``, ``Code``, ... of an authors' checkpoint).
"""
import glob
import math
import os
import os.path as osp
import re

import pytest
import yaml
from helpers import REPO_ROOT

PAPERS = sorted(
    osp.basename(d) for d in glob.glob(osp.join(REPO_ROOT, 'configs', '*'))
    if osp.isdir(d) and osp.basename(d) not in ('_base_', 'demo'))
MMSEG_URL = 'https://github.com/open-mmlab/mmsegmentation/blob/v1.2.2/'

MODEL_REQUIRED = {
    'Name', 'In Collection', 'Config', 'Metadata', 'Weights', 'Training log',
    'Paper', 'Code'
}
MODEL_OPTIONAL = {'Results', 'Paper Results', 'Notes', 'Converted From'}
METADATA_REQUIRED = {
    'Training Data', 'Batch Size', 'Architecture', 'Training Resources'
}
RESULT_KEYS = {'Task', 'Dataset', 'Metrics', 'Measurement'}
PAPER_RESULT_REQUIRED = {'Row', 'Task', 'Dataset', 'Metrics'}
PAPER_RESULT_OPTIONAL = {'Table', 'Source', 'Column', 'Cost', 'Also'}
CONVERTED_KEYS = {
    'Weights', 'Checkpoint', 'Code', 'Class', 'Convert Command',
    'Test Command', 'Agreement'
}


def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f) or {}


def load_metafile(paper):
    return load_yaml(osp.join(REPO_ROOT, 'configs', paper, 'metafile.yaml'))


def all_entries():
    out = []
    for paper in PAPERS:
        for model in load_metafile(paper).get('Models') or []:
            out.append(pytest.param(paper, model, id=model.get('Name')))
    return out


def is_cpu_check(name):
    """CamVid CPU checks of this repository (``..._1xb4-120iter_...``)."""
    return re.search(r'-\d+iter_', name) is not None


def as_list(value):
    return value if isinstance(value, list) else [value]


def check_metrics(metrics, where):
    assert isinstance(metrics, dict) and metrics, f'{where}: no Metrics'
    for key, value in metrics.items():
        assert isinstance(value, (int, float)) and not isinstance(
            value, bool) and math.isfinite(value), f'{where}: {key}={value!r}'


def papers_dir():
    root = os.environ.get('MMSEG_GATED_REFERENCE',
                          osp.join(REPO_ROOT, '..', 'shared', 'reference'))
    return osp.join(osp.dirname(osp.abspath(root)), 'papers')


FIRST_NUMBER = re.compile(r'(?<![A-Za-z\d-])\d')
WORD = re.compile(r'[A-Za-z]{2,}')


def numbers_after(text, row):
    """For every occurrence of ``row`` in ``text``: the numbers printed
    after it, from the first number within 60 characters (a backbone name
    such as ``ResNet-101`` may come first) to the next word."""
    runs = []
    for match in re.finditer(re.escape(row), text):
        rest = text[match.end():match.end() + 400]
        first = FIRST_NUMBER.search(rest, 0, 60)
        if first is None:
            continue
        stop = WORD.search(rest, first.start())
        runs.append(rest[first.start():stop.start() if stop else None])
    return runs


def readme_section(paper, title):
    with open(osp.join(REPO_ROOT, 'configs', paper, 'README.md')) as f:
        text = f.read()
    match = re.search(rf'^## {re.escape(title)}\n(.*?)(?=^## |\Z)', text,
                      re.S | re.M)
    return match.group(1) if match else None


def test_index_imports_every_paper_metafile():
    imports = load_yaml(osp.join(REPO_ROOT, 'model-index.yml')).get('Import')
    expected = [f'configs/{paper}/metafile.yaml' for paper in PAPERS]
    assert sorted(imports or []) == expected
    for path in imports:
        assert osp.isfile(osp.join(REPO_ROOT, path)), path


@pytest.mark.parametrize('paper', PAPERS)
def test_collection_and_coverage(paper):
    meta = load_metafile(paper)
    assert set(meta) == {'Collections', 'Models'}, paper
    (coll, ) = meta['Collections']
    assert {'Name', 'License', 'Metadata', 'Paper', 'README',
            'Frameworks'} <= set(coll)
    assert coll['Metadata']['Training Data'], paper
    assert coll['Paper']['Title'] and coll['Paper']['URL'].startswith(
        'https://'), paper
    assert coll['README'] == f'configs/{paper}/README.md'
    assert osp.isfile(osp.join(REPO_ROOT, coll['README']))
    # one entry per config, none for a config that does not exist
    names = [m['Name'] for m in meta['Models']]
    assert len(names) == len(set(names)), 'duplicate entries'
    configs = {
        osp.relpath(p, REPO_ROOT)
        for p in glob.glob(osp.join(REPO_ROOT, 'configs', paper, '*.py'))
    }
    listed = {m['Config'] for m in meta['Models']}
    assert sorted(configs - listed) == [], 'configs without an entry'
    assert sorted(listed - configs) == [], 'entries without a config'


@pytest.mark.parametrize('paper,model', all_entries())
def test_entry_schema(paper, model):
    name = model.get('Name')
    keys = set(model)
    assert MODEL_REQUIRED <= keys, f'missing {MODEL_REQUIRED - keys}'
    assert keys <= MODEL_REQUIRED | MODEL_OPTIONAL, \
        f'unknown keys {keys - MODEL_REQUIRED - MODEL_OPTIONAL}'
    meta = load_metafile(paper)
    coll = meta['Collections'][0]
    assert model['In Collection'] == coll['Name']
    assert model['Config'] == f'configs/{paper}/{name}.py'
    assert osp.isfile(osp.join(REPO_ROOT, model['Config']))
    assert model['Paper'] == coll['Paper']

    md = model['Metadata']
    assert METADATA_REQUIRED <= set(md), f'Metadata lacks ' \
        f'{METADATA_REQUIRED - set(md)}'
    assert isinstance(md['Training Data'], str) and md['Training Data']
    gpus, per_gpu = map(int, re.search(r'_(\d+)xb(\d+)-', name).groups())
    assert md['Batch Size'] == gpus * per_gpu, 'Batch Size vs config name'
    arch = md['Architecture']
    assert isinstance(arch, list) and arch and all(
        isinstance(a, str) and a for a in arch)
    assert isinstance(md['Training Resources'], str)
    if 'Memory (GB)' in md:
        assert md['Memory (GB)'] > 0
    if 'Complexity (ours)' in md:
        cx = md['Complexity (ours)']
        assert cx['Command'].startswith('python tools/analysis_tools/')
        assert cx['Params (M)'] > 0 and cx['MACs (G)'] > 0

    # no weights are published by this repository
    assert model['Weights'] is None and model['Training log'] is None
    code = model['Code']
    if code.startswith('https://'):
        assert code.startswith(MMSEG_URL), code
        import mmseg
        rel = code[len(MMSEG_URL):]
        assert rel.startswith('mmseg/'), code
        assert osp.isfile(osp.join(osp.dirname(mmseg.__path__[0]), rel)), code
    else:
        assert code.startswith('mmseg_gated/'), code
        assert osp.isfile(osp.join(REPO_ROOT, code)), code


@pytest.mark.parametrize('paper,model', all_entries())
def test_results_are_measured_here(paper, model):
    """``Results`` only holds what this repository measured, each with a
    note naming how and where; the numbers are the ones its README
    records. The paper's figures live in ``Paper Results``."""
    name = model['Name']
    results = model.get('Results')
    if is_cpu_check(name):
        # a CPU check exists to record a measurement, and is no paper row
        assert results, 'CPU check without a measured result'
        assert 'Paper Results' not in model
    if results is None:
        return
    for item in as_list(results):
        assert set(item) == RESULT_KEYS, set(item) ^ RESULT_KEYS
        check_metrics(item['Metrics'], name)
        note = item['Measurement']
        assert note.startswith('Measured in this repository'), note
        readme = re.search(r'configs/\w+/README\.md', note)
        assert readme, f'{name}: the note names no README'
        with open(osp.join(REPO_ROOT, readme.group(0))) as f:
            text = f.read()
        for key, value in item['Metrics'].items():
            assert f'{value:.2f}' in text, \
                f'{name}: {key} {value:.2f} is not in {readme.group(0)}'
        for paper_item in model.get('Paper Results') or []:
            assert paper_item['Metrics'] != item['Metrics']


@pytest.mark.parametrize('paper,model', all_entries())
def test_paper_results(paper, model):
    name = model['Name']
    items = model.get('Paper Results')
    if items is None:
        # say why there are no paper figures
        assert isinstance(model.get('Notes'), str) and model['Notes'], name
        return
    assert isinstance(items, list) and items
    for item in items:
        keys = set(item)
        assert PAPER_RESULT_REQUIRED <= keys, PAPER_RESULT_REQUIRED - keys
        assert keys <= PAPER_RESULT_REQUIRED | PAPER_RESULT_OPTIONAL
        # a table of the paper, or another named source of the authors
        assert str(item.get('Table', '')).startswith('Table') or \
            item.get('Source'), name
        check_metrics(item['Metrics'], name)
        for key, value in (item.get('Cost') or {}).items():
            # numbers, or as printed ('1.25x')
            assert isinstance(value, (int, float, str)) and str(value), key


@pytest.mark.parametrize('paper', PAPERS)
def test_paper_results_are_the_papers(paper):
    """Each paper figure (table, row, every number) is in the paper's
    text (``../shared/papers``; ``Source`` items quote the authors
    elsewhere)."""
    path = osp.join(papers_dir(), f'{paper}.txt')
    if not osp.isfile(path):
        pytest.skip(f'paper text {path} not found (set '
                    'MMSEG_GATED_REFERENCE to the shared reference folder)')
    with open(path, encoding='utf-8') as f:
        text = ' '.join(f.read().replace('\xa0', ' ').split())
    checked = 0
    for model in load_metafile(paper)['Models']:
        for item in model.get('Paper Results') or []:
            if 'Source' in item:
                continue
            where = f'{model["Name"]} ({item["Table"]}, {item["Row"]})'
            assert item['Table'] in text, where
            runs = numbers_after(text, ' '.join(str(item['Row']).split()))
            assert runs, f'{where}: no row with numbers in the paper text'
            values = list(item['Metrics'].values()) + list(
                (item.get('Cost') or {}).values())
            for value in values:
                # (some extracted tables run the numbers together)
                assert any(str(value) in run for run in runs), \
                    f'{where}: {value} is not in the row ({runs})'
                checked += 1
    assert checked > 0


@pytest.mark.parametrize('paper', PAPERS)
def test_converted_checkpoints(paper):
    """Every authors' checkpoint the README converts has an entry naming
    its origin, the convert command and the test command; the converter
    and the test named in the entry exist."""
    section = readme_section(paper, 'Converted checkpoints')
    models = load_metafile(paper)['Models']
    converted = [m for m in models if 'Converted From' in m]
    if section is None:
        assert not converted, 'Converted From without a README section'
        return
    scripts = set(re.findall(r'tools/model_converters/\w+\.py', section))
    assert scripts, 'the README section names no converter'
    used = set()
    for m in converted:
        conv = m['Converted From']
        assert set(conv) == CONVERTED_KEYS, set(conv) ^ CONVERTED_KEYS
        assert conv['Weights'].startswith('https://github.com/')
        assert conv['Code'].startswith('https://github.com/')
        # the authors' repository is the one the README links
        repo = re.match(r'https://github.com/[\w.-]+/[\w.-]+',
                        conv['Code']).group(0)
        assert repo in section, repo
        cmd = conv['Convert Command'].split()
        assert cmd[:2] == ['python', cmd[1]] and len(cmd) == 4, cmd
        assert osp.isfile(osp.join(REPO_ROOT, cmd[1])), cmd[1]
        used.add(cmd[1])
        test = conv['Test Command'].split()
        assert test == ['python', 'tools/test.py', m['Config'], cmd[3]]
        check = re.search(r'tests/(\w+/)*test_\w+\.py', conv['Agreement'])
        assert check and osp.isfile(osp.join(REPO_ROOT, check.group(0)))
    assert scripts <= used, f'converters without an entry: {scripts - used}'
