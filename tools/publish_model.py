# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Turn a training checkpoint into a weights-only file for release.

Keeps ``state_dict`` and the plain part of ``meta`` (dataset classes and
palette, iteration, versions, config text); drops the optimizer, message hub,
parameter schedulers and anything else that needs more than torch's safe
loader. The result loads with ``torch.load(f, weights_only=True)``,
``mmseg.apis.init_model`` and ``MMSegInferencer`` on any torch version, and
its name ends with the first 8 hex digits of its sha256, as mmseg's
``publish_model.py`` names files::

    python tools/publish_model.py work_dirs/x/iter_80000.pth gffnet_city.pth
    # -> gffnet_city-1a2b3c4d.pth

The input is read without executing pickled code
(:mod:`mmseg_gated.apis.checkpoint`).
"""
import argparse
import hashlib
import os
import os.path as osp

import torch

PLAIN = (str, int, float, bool, type(None))


def plain(value):
    """``value`` with everything that is not a plain Python value removed
    (None when nothing plain is left)."""
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, (list, tuple)):
        items = [plain(v) for v in value]
        if any(v is None for v, o in zip(items, value) if o is not None):
            return None
        return type(value)(items)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            pv = plain(v)
            if isinstance(k, PLAIN) and (pv is not None or v is None):
                out[k] = pv
        return out
    return None


def publish(in_file: str, out_file: str) -> str:
    """Write the weights-only checkpoint; returns its final path."""
    from mmseg_gated.apis import load_checkpoint_file
    ckpt = load_checkpoint_file(in_file, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    if not isinstance(state, dict) or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise SystemExit(f'error: {in_file} has no state_dict of tensors')
    out = {'state_dict': {k: v.detach().cpu() for k, v in state.items()}}
    meta = plain(ckpt.get('meta', {})) or {}
    if meta:
        out['meta'] = meta
    dropped = sorted(k for k in ckpt if k not in ('state_dict', 'meta'))
    stem = out_file[:-4] if out_file.endswith('.pth') else out_file
    tmp = stem + '.tmp.pth'
    os.makedirs(osp.dirname(osp.abspath(tmp)), exist_ok=True)
    torch.save(out, tmp)
    with open(tmp, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    final = f'{stem}-{sha[:8]}.pth'
    os.replace(tmp, final)
    print(f'wrote {final} ({len(out["state_dict"])} tensors; dropped: '
          f'{", ".join(dropped) or "nothing"}; sha256 {sha})')
    return final


def parse_args():
    parser = argparse.ArgumentParser(
        description='Strip a training checkpoint to a weights-only file '
        'named with its sha256 prefix.')
    parser.add_argument('in_file', help='input checkpoint (e.g. iter_N.pth)')
    parser.add_argument(
        'out_file',
        help='output name; "-<sha256[:8]>" is inserted before ".pth"')
    return parser.parse_args()


def main():
    args = parse_args()
    import mmseg_gated  # noqa: F401  (registers the plugin; safe loader)
    from mmseg_gated.apis import CheckpointLoadError
    try:
        publish(args.in_file, args.out_file)
    except CheckpointLoadError as e:
        raise SystemExit(f'error: {e}') from None


if __name__ == '__main__':
    main()
