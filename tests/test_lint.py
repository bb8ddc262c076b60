"""The tree passes mmseg's lint settings (setup.cfg): flake8, isort, yapf.

The tools are installed by tools/install.sh; a missing one fails the test
rather than skipping it, so CI cannot pass unchecked."""
import subprocess
import sys

import pytest
from helpers import REPO_ROOT

PATHS = ['mmseg_gated', 'tools', 'tests', 'configs', 'setup.py']


def check(args):
    proc = subprocess.run([sys.executable, '-m', *args, *PATHS],
                          cwd=REPO_ROOT,
                          capture_output=True,
                          text=True,
                          timeout=600)
    out = (proc.stdout + proc.stderr).strip()
    if 'No module named' in out:
        pytest.fail(f'{args[0]} is not installed: run tools/install.sh')
    return proc.returncode, out


def test_flake8():
    rc, out = check(['flake8'])
    assert rc == 0, out[-5000:]


def test_isort():
    rc, out = check(['isort', '--check-only', '--diff'])
    assert rc == 0, out[-5000:]


def test_yapf():
    rc, out = check(['yapf', '--diff', '--recursive', '--parallel'])
    assert rc == 0 and not out, out[-5000:]
