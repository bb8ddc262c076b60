# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Skipping training samples whose files fail to load.

mmengine's :class:`~mmengine.dataset.BaseDataset` already knows how to
replace a sample: in training (``test_mode=False``) a pipeline that returns
``None`` makes ``__getitem__`` draw another index (``_rand_another``), up to
``max_refetch`` times. :class:`SkipBadSamples` turns a failure of a loading
transform into that ``None`` and remembers the file; the record travels with
the next sample that loads (in its ``data_samples`` metainfo, under
``bad_samples``), so the main process sees it even when data loader workers
did the loading. :class:`~mmseg_gated.engine.hooks.BadSampleHook` counts,
logs and caps; :func:`~mmseg_gated.engine.setup_bad_sample_skipping` wraps
the training pipelines when that hook is enabled (``tools/train.py`` calls
it).
"""
import os
import os.path as osp
from typing import List, Optional

from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

# trailers of complete files: JPEG's end-of-image marker, PNG's IEND chunk
_JPEG = (b'\xff\xd8', b'\xff\xd9')
_PNG = (b'\x89PNG\r\n\x1a\n', b'IEND\xaeB`\x82')


def is_loading_transform(transform) -> bool:
    """Whether a transform (object or config dict) reads files: mmcv's and
    mmseg's convention names every loader ``Load...``."""
    name = transform.get('type') if isinstance(
        transform, dict) else type(transform).__name__
    if not isinstance(name, str):
        name = getattr(name, '__name__', '')
    return name.split('.')[-1].startswith('Load')


def truncation_problem(path) -> Optional[str]:
    """A short reason when a local JPEG or PNG file ends before its trailer.

    Decoders are lenient: OpenCV fills a truncated JPEG with grey and only
    prints a warning, so a decode that succeeds does not prove the file is
    whole. A JPEG ends with the end-of-image marker ``FF D9`` and a PNG with
    its ``IEND`` chunk; padding after them (some cameras write it) is
    allowed within the last 4 KiB. Other formats and non-local paths give
    ``None``.
    """
    if not isinstance(path, (str, os.PathLike)) or not osp.isfile(path):
        return None
    try:
        size = osp.getsize(path)
        with open(path, 'rb') as f:
            head = f.read(8)
            f.seek(max(0, size - 4096))
            tail = f.read()
    except OSError as e:
        return f'unreadable ({e})'
    for (magic, trailer), kind in ((_JPEG, 'JPEG end-of-image marker'),
                                   (_PNG, 'PNG IEND chunk')):
        if head.startswith(magic) and trailer not in tail:
            return f'truncated ({size} bytes, no {kind})'
    return None


def _failed_file(transform, results) -> str:
    name = type(transform).__name__
    key = 'seg_map_path' if 'Annotation' in name else 'img_path'
    return str(results.get(key) or results.get('img_path') or '?')


@TRANSFORMS.register_module()
class SkipBadSamples(BaseTransform):
    """Run a pipeline; a sample whose files fail to load gives ``None``.

    Wraps a dataset's whole pipeline. An exception raised by a loading
    transform (``Load...``), or a truncated JPEG/PNG file (see
    :func:`truncation_problem`) about to be loaded, makes the result
    ``None``: mmengine's ``BaseDataset.__getitem__`` then draws another
    sample (its refetch mechanism, ``max_refetch`` tries). Exceptions of the
    other transforms propagate: a failing augmentation is a bug, not a bad
    file. The skipped files are attached to the next sample that loads, as
    ``data_samples.metainfo['bad_samples']`` (a list of ``(path, reason)``),
    for :class:`~mmseg_gated.engine.hooks.BadSampleHook` to count.

    Args:
        transforms (list[dict | callable]): The pipeline to run.
    """

    def __init__(self, transforms: List):
        self.transforms = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in transforms
        ]
        self._pending = []

    def _load(self, transform, results):
        path = _failed_file(transform, results)
        problem = truncation_problem(path)
        if problem is not None:
            return None, (path, problem)
        try:
            return transform(results), None
        except Exception as e:  # noqa: BLE001 - every load error is skipped
            return None, (path, f'{type(e).__name__}: {e}'.strip())

    def transform(self, results: dict) -> Optional[dict]:
        for t in self.transforms:
            if is_loading_transform(t):
                results, bad = self._load(t, results)
                if bad is not None:
                    self._pending.append(bad)
                    return None
            else:
                results = t(results)
            if results is None:
                return None
        if self._pending:
            samples = results.get('data_samples')
            if hasattr(samples, 'set_metainfo'):
                samples.set_metainfo(dict(bad_samples=list(self._pending)))
            else:
                results['bad_samples'] = list(self._pending)
            self._pending = []
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(transforms={self.transforms!r})'
