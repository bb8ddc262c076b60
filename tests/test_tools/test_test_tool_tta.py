"""tools/test.py --tta on a config whose model already is a SegTTAModel
(GFF's multi-scale Table 2 config) stops with a clear message instead of
wrapping the model twice (which then failed its checkpoint check with a
misleading 0% coverage)."""
import os.path as osp
import sys

import pytest
from helpers import REPO_ROOT, load_module

MS_CONFIG = osp.join(REPO_ROOT, 'configs', 'gff',
                     'gffnet-ms_r101-d8_8xb1-100k_cityscapes-864x864.py')


def test_tta_on_a_tta_config_names_the_problem(tmp_path, monkeypatch):
    tool = load_module('test_tool_tta', osp.join(REPO_ROOT, 'tools',
                                                 'test.py'))
    monkeypatch.setattr(sys, 'argv', [
        'tools/test.py', MS_CONFIG,
        str(tmp_path / 'none.pth'), '--tta', '--work-dir',
        str(tmp_path)
    ])
    with pytest.raises(
            RuntimeError,
            match='already tests with test-time '
            'augmentation .* run it without --tta'):
        tool.main()
