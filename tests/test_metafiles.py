"""model-index.yml and the per-paper metafiles: every paper config has an
entry naming its table and row, and every entry points at a real config."""
import glob
import os.path as osp
import re

import pytest
import yaml

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
PAPERS = sorted(
    osp.basename(d) for d in glob.glob(osp.join(REPO, 'configs', '*'))
    if osp.isdir(d) and osp.basename(d) not in ('_base_', 'demo'))


def is_local_check(cfg_path):
    """CPU check configs (``..._1xb4-200iter_camvid...``) reproduce no table
    row: their metafile entry is optional and needs no table."""
    return re.search(r'-\d+iter_', osp.basename(cfg_path)) is not None


def load_index():
    with open(osp.join(REPO, 'model-index.yml')) as f:
        return yaml.safe_load(f) or {}


def test_index_imports_every_paper_metafile():
    imports = load_index().get('Import') or []
    for paper in PAPERS:
        assert f'configs/{paper}/metafile.yaml' in imports, paper
    for path in imports:
        assert osp.isfile(osp.join(REPO, path)), path


@pytest.mark.parametrize('paper', PAPERS)
def test_metafile_covers_configs(paper):
    path = osp.join(REPO, 'configs', paper, 'metafile.yaml')
    assert osp.isfile(path), f'{paper} has no metafile.yaml'
    with open(path) as f:
        meta = yaml.safe_load(f)
    assert meta.get('Collections'), path
    models = meta.get('Models') or []
    listed = set()
    for m in models:
        cfg = m.get('Config', '')
        assert osp.isfile(osp.join(REPO, cfg)), f'{m.get("Name")}: {cfg}'
        md = m.get('Metadata') or {}
        listed.add(osp.normpath(cfg))
        if is_local_check(cfg) or md.get('Reported by the paper') is False:
            # CPU checks, and rows whose table is not in the paper text we
            # have (GSTO's LIP/Pascal Context), carry a free-text Table
            assert md.get('Table'), m.get('Name')
            continue
        assert str(md.get('Table', '')).startswith('Table'), m.get('Name')
        assert md.get('Row'), m.get('Name')
        assert m.get('In Collection') in {
            c['Name'] for c in meta['Collections']}, m.get('Name')
    configs = {
        osp.normpath(osp.relpath(p, REPO))
        for p in glob.glob(osp.join(REPO, 'configs', paper, '*.py'))
        if not is_local_check(p)
    }
    missing = sorted(configs - listed)
    assert not missing, f'configs without a metafile entry: {missing}'
    assert osp.isfile(osp.join(REPO, 'configs', paper, 'README.md'))
