"""tools/check_dataset.py on a generated dataset with one instance of each
problem: every problem reported at once, the class-frequency table against
a hand count, exit status 1; a clean split exits 0."""
import os.path as osp
import re
import sys

from bad_dataset import CLASSES, dataset_cfg, make_bad_dataset
from helpers import REPO_ROOT


def load_tool():
    # an importable module: the worker processes unpickle its functions
    if osp.join(REPO_ROOT, 'tools') not in sys.path:
        sys.path.insert(0, osp.join(REPO_ROOT, 'tools'))
    import check_dataset
    return check_dataset


def write_config(path, train, val=None):
    lines = [
        "default_scope = 'mmseg'",
        "custom_imports = dict(imports=['mmseg_gated'], "
        'allow_failed_imports=False)',
        f'train_dataloader = dict(batch_size=1, dataset={train!r})',
    ]
    if val is not None:
        lines.append(f'val_dataloader = dict(batch_size=1, dataset={val!r})')
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def test_every_problem_at_once(tmp_path, capsys):
    expected = make_bad_dataset(tmp_path / 'data')
    files = expected['files']
    train = dataset_cfg(tmp_path / 'data')
    config = write_config(tmp_path / 'cfg.py', train,
                          dict(train, test_mode=True))
    tool = load_tool()
    rc = tool.main([config, '--workers', '2'])
    out = capsys.readouterr().out
    assert rc == 1, out
    assert 'test: no test_dataloader in the config; skipped' in out
    assert 'val: the same files as train; not read again' in out
    assert '7 samples read' in out
    problems = re.findall(r'^  \[train\] (\S+): (.+)$', out, re.M)
    assert len(problems) == 5, out
    found = dict(problems)
    assert found[files['truncated']].startswith(
        'image truncated (') and 'no JPEG end-of-image marker' in found[
            files['truncated']]
    assert 'failed to load image' in found[files['undecodable']]
    assert found[files['nolabel']] == 'missing label file'
    assert found[files['mismatch']] == (
        "label size 48x64 differs from the image's 64x64 "
        f"({files['mismatch'].replace('ann', 'img').replace('.png', '.jpg')})")
    assert found[files['badvalue']] == (
        'label values outside 0..2 and ignore_index 255: 7 (5 px), 9 (2 px)')
    # the class-frequency table: pixel counts of every label file
    hist = expected['hist']
    for i, name in enumerate(CLASSES):
        assert re.search(rf'^  {name}\s+{hist[i]}\s', out, re.M), out
    assert re.search(rf'^  ignore \(255\)\s+{hist[255]}\s', out, re.M)
    assert re.search(r'^  invalid \(7\)\s+5\s', out, re.M)


def test_clean_split_exits_zero(tmp_path, capsys):
    make_bad_dataset(tmp_path / 'data', good=3, problems=())
    config = write_config(tmp_path / 'cfg.py', dataset_cfg(tmp_path / 'data'))
    rc = load_tool().main([config, '--splits', 'train', '--workers', '0'])
    out = capsys.readouterr().out
    assert rc == 0 and 'No problems found.' in out
    assert '3 samples read' in out
