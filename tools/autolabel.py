# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Write hard pseudo-labels from a trained teacher (auto-labelling).

Hierarchical multi-scale attention (Tao et al., Table 4 "Fine +
auto-generated coarse labels"): run a trained model, multi-scale, over the
images of a folder and keep ``argmax`` where the top class probability is
above ``--threshold`` ("teacher predictions with probability > 0.5 are
valid", the paper; the authors' ``--custom_coarse_prob 0.5`` in
``scripts/train_cityscapes_sota.yml``), 255 (ignore) elsewhere. Labels are
single-channel PNGs (a few hundred MB for the 20k Cityscapes coarse images,
against ~2 TB for soft labels).

Two options reproduce what the authors' loader (``datasets/base_loader.py``
``read_images``/``__getitem__``) does to these labels when it reads them
(``mask_out_cityscapes``, ``custom_coarse_dropout_classes``); here they are
applied once, when the label is written, in the authors' order:

1. ``--mask-border TOP BOTTOM LEFT RIGHT`` keeps rows ``[TOP, BOTTOM)`` and
   columns ``[LEFT, RIGHT)`` and ignores the rest (theirs: ``15 840 14
   2030`` on the 1024 x 2048 frame: the ego car's bonnet and the border);
2. ``--coarse-dir``/``--coarse-classes`` (theirs: classes 14, 15, 16,
   truck/bus/train): for each class ``c`` (ascending) that the teacher's
   argmax has anywhere in the image, the pixels where the ground-truth
   coarse label is ``c`` become ``c`` too; a class the teacher does not
   predict gets nothing from the coarse label;
3. the threshold (its ignore also covers pixels added in 2).

Resumable: a label that already exists is skipped; labels are written to a
temporary name and renamed, so an interrupted run leaves no partial file.
The output folder holds ``autolabel_manifest.json`` (teacher config,
checkpoint sha256, threshold, scales, suffixes, border, coarse override);
resuming into a folder made with other settings is refused unless
``--overwrite`` (which relabels every image). Without ``--img-suffix`` the
common image suffixes are tried.

The authors' Cityscapes recipe:

    python tools/autolabel.py CONFIG CHECKPOINT \
        --img-dir data/cityscapes/leftImg8bit/train_extra \
        --img-suffix _leftImg8bit.png \
        --out-dir data/cityscapes/autolabel/train_extra \
        --label-suffix _gtAuto_labelTrainIds.png \
        --threshold 0.5 --scales 0.5 1.0 2.0 \
        --mask-border 15 840 14 2030 \
        --coarse-dir data/cityscapes/gtCoarse/train_extra \
        --coarse-suffix _gtCoarse_labelTrainIds.png --coarse-classes 14 15 16

The output folder mirrors the input's sub-folders, so mmseg's
``BaseSegDataset`` pairs image and label by suffix; see
``configs/_base_/datasets/cityscapes_fine_autocoarse.py`` for mixing them
with the fine labels.
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import sys
from collections import Counter
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch

IGNORE_INDEX = 255
IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')
MANIFEST = 'autolabel_manifest.json'


def mask_border(label: np.ndarray,
                border: Sequence[int],
                ignore_index: int = IGNORE_INDEX) -> np.ndarray:
    """``label`` with everything outside rows ``[top, bottom)`` and columns
    ``[left, right)`` set to ``ignore_index``; ``border`` is ``(top,
    bottom, left, right)`` (the authors' ``drop_mask[15:840, 14:2030]``)."""
    top, bottom, left, right = (int(b) for b in border)
    out = np.full_like(label, ignore_index)
    out[top:bottom, left:right] = label[top:bottom, left:right]
    return out


def coarse_override(label: np.ndarray, coarse: np.ndarray,
                    classes: Sequence[int]) -> np.ndarray:
    """The authors' ``custom_coarse_dropout_classes`` on a hard label.

    For each class ``c`` of ``classes`` in ascending order: if ``label``
    has ``c`` anywhere, every pixel where ``label == c`` or ``coarse == c``
    becomes ``c`` (``datasets/base_loader.py`` ``read_images``); otherwise
    nothing changes for ``c``."""
    if coarse.shape != label.shape:
        raise ValueError(f'coarse label {coarse.shape} and pseudo-label '
                         f'{label.shape} differ in size')
    out = label.copy()
    for c in sorted(set(int(c) for c in classes)):
        region = out == c
        if region.any():
            out[region | (coarse == c)] = c
    return out


def pseudo_label(
    probs: torch.Tensor,
    threshold: float,
    ignore_index: int = IGNORE_INDEX,
    border: Optional[Sequence[int]] = None,
    coarse: Optional[np.ndarray] = None,
    coarse_classes: Sequence[int] = ()
) -> np.ndarray:
    """Hard label from ``C x H x W`` class probabilities.

    Returns a uint8 ``H x W`` array: the argmax class, with
    :func:`mask_border` (``border``) and :func:`coarse_override`
    (``coarse``, ``coarse_classes``) applied first when given, and then
    ``ignore_index`` wherever the top probability is not strictly above
    ``threshold``."""
    if probs.dim() != 3:
        raise ValueError(f'probs must be C x H x W, got {tuple(probs.shape)}')
    if probs.size(0) > 255 and ignore_index == 255:
        raise ValueError('more than 255 classes do not fit a uint8 label')
    conf, cls = probs.max(dim=0)
    label = cls.to(torch.uint8).cpu().numpy()
    if border is not None:
        label = mask_border(label, border, ignore_index)
    if coarse is not None and len(coarse_classes):
        label = coarse_override(label, coarse, coarse_classes)
    label[(conf <= threshold).cpu().numpy()] = ignore_index
    return label


def to_probs(seg_logits: torch.Tensor) -> torch.Tensor:
    """Class probabilities from a data sample's ``seg_logits``.

    mmseg versions differ on whether ``seg_logits`` holds logits or
    softmax output; values already in [0, 1] summing to 1 over classes are
    taken as probabilities."""
    x = seg_logits.float()
    if x.min() >= 0 and x.max() <= 1 and torch.allclose(
            x.sum(0), torch.ones_like(x[0]), atol=1e-3):
        return x
    return x.softmax(dim=0)


def list_images(img_dir: str, img_suffix: str) -> List[str]:
    """Paths relative to ``img_dir`` of the files ending in ``img_suffix``
    (recursive, sorted)."""
    if not osp.isdir(img_dir):
        raise FileNotFoundError(f'--img-dir {img_dir!r} is not a folder')
    found, seen = [], Counter()
    for root, _, files in os.walk(img_dir):
        for f in files:
            if f.endswith(img_suffix):
                found.append(osp.relpath(osp.join(root, f), img_dir))
            else:
                seen[osp.splitext(f)[1] or f] += 1
    if not found:
        others = ', '.join(f'{k} ({n})' for k, n in seen.most_common(5))
        raise FileNotFoundError(
            f'no file in {img_dir!r} ends with --img-suffix {img_suffix!r}' +
            (f'; found: {others}' if others else ' (the folder is empty)'))
    return sorted(found)


def detect_suffix(img_dir: str) -> str:
    """The most frequent common image suffix in ``img_dir`` (recursive)."""
    if not osp.isdir(img_dir):
        raise FileNotFoundError(f'--img-dir {img_dir!r} is not a folder')
    counts = Counter()
    for _, _, files in os.walk(img_dir):
        for f in files:
            ext = osp.splitext(f)[1].lower()
            if ext in IMAGE_SUFFIXES:
                counts[osp.splitext(f)[1]] += 1
    if not counts:
        raise FileNotFoundError(
            f'no images ({", ".join(IMAGE_SUFFIXES)}) found in {img_dir!r}')
    return counts.most_common(1)[0][0]


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def check_manifest(out_dir: str, manifest: dict, overwrite: bool) -> bool:
    """Refuse to mix labels of another teacher or other settings.

    Returns True when existing labels may be kept (same settings)."""
    path = osp.join(out_dir, MANIFEST)
    if osp.isfile(path):
        with open(path) as f:
            old = json.load(f)
        keys = ('config', 'checkpoint_sha256', 'threshold', 'scales',
                'img_suffix', 'label_suffix', 'mask_border', 'coarse_dir',
                'coarse_suffix', 'coarse_classes')
        diff = [k for k in keys if old.get(k) != manifest.get(k)]
        if diff and not overwrite:
            details = '; '.join(f'{k}: {old.get(k)!r} there, '
                                f'{manifest.get(k)!r} now' for k in diff)
            raise SystemExit(
                f'error: {out_dir} holds labels made with other settings '
                f'({details}). Use another --out-dir, or --overwrite to '
                'relabel every image.')
        return not diff and not overwrite
    return not overwrite


def write_manifest(out_dir: str, manifest: dict) -> None:
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, MANIFEST), 'w') as f:
        json.dump(manifest, f, indent=2)


def label_path(rel: str, out_dir: str, img_suffix: str,
               label_suffix: str) -> str:
    return osp.join(out_dir, rel[:-len(img_suffix)] + label_suffix)


def read_label(path: str) -> np.ndarray:
    """A single-channel label PNG as a uint8 array."""
    from PIL import Image
    with Image.open(path) as img:
        if img.mode not in ('L', 'P'):
            raise ValueError(f'{path} is not a single-channel label '
                             f'(PIL mode {img.mode})')
        return np.array(img, dtype=np.uint8)


def write_png(label: np.ndarray, path: str) -> None:
    """Atomic write of a single-channel PNG."""
    from PIL import Image
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    tmp = path + '.tmp'
    Image.fromarray(label, mode='L').save(tmp, format='PNG')
    os.replace(tmp, path)


def autolabel(
    model,
    img_dir: str,
    out_dir: str,
    threshold: float = 0.5,
    img_suffix: str = '.png',
    label_suffix: str = '.png',
    progress: bool = True,
    overwrite: bool = False,
    border: Optional[Sequence[int]] = None,
    coarse_dir: Optional[str] = None,
    coarse_suffix: str = '.png',
    coarse_classes: Sequence[int] = ()
) -> Tuple[int, int]:
    """Label every image of ``img_dir`` not yet labelled in ``out_dir``.

    Args:
        model: A segmentor from :func:`mmseg.apis.init_model` (its ``cfg``
            has the test pipeline).
        img_dir (str): Folder of images (searched recursively).
        out_dir (str): Output folder (mirrors ``img_dir``).
        threshold (float): Keep the argmax where its probability is above.
        img_suffix (str): Image file suffix, replaced by ``label_suffix``.
        label_suffix (str): Label file suffix.
        progress (bool): Show a progress bar.
        overwrite (bool): Relabel images that already have a label.
        border (Sequence[int], optional): ``(top, bottom, left, right)`` of
            the region kept by :func:`mask_border`. Default: None (all).
        coarse_dir (str, optional): Folder of ground-truth coarse labels
            (mirroring ``img_dir``) for :func:`coarse_override`.
        coarse_suffix (str): Their suffix, replacing ``img_suffix``.
        coarse_classes (Sequence[int]): Classes taken from them.

    Returns:
        tuple[int, int]: (labelled now, skipped because already done).
    """
    from mmseg.apis import inference_model
    if not 0.0 <= threshold < 1.0:
        raise ValueError(f'threshold must be in [0, 1), got {threshold}')
    rels = list_images(img_dir, img_suffix)
    todo = [
        r for r in rels if overwrite
        or not osp.isfile(label_path(r, out_dir, img_suffix, label_suffix))
    ]
    bar = None
    if progress and todo:
        try:
            from tqdm import tqdm
            bar = tqdm(total=len(todo), desc='autolabel')
        except ImportError:
            from mmengine.utils import ProgressBar
            bar = ProgressBar(len(todo))
    for rel in todo:
        with torch.no_grad():
            sample = inference_model(model, osp.join(img_dir, rel))
        coarse = None
        if coarse_dir is not None and len(coarse_classes):
            coarse = read_label(
                label_path(rel, coarse_dir, img_suffix, coarse_suffix))
        label = pseudo_label(
            to_probs(sample.seg_logits.data),
            threshold,
            border=border,
            coarse=coarse,
            coarse_classes=coarse_classes)
        write_png(label, label_path(rel, out_dir, img_suffix, label_suffix))
        if bar is not None:
            bar.update(1) if hasattr(bar, 'close') else bar.update()
    if bar is not None and hasattr(bar, 'close'):
        bar.close()
    return len(todo), len(rels) - len(todo)


def parse_args(argv: Optional[Sequence[str]] = None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(
        description='Write hard pseudo-labels from a trained teacher',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('config', help='teacher config')
    p.add_argument('checkpoint', help='teacher checkpoint')
    p.add_argument('--img-dir', required=True, help='images (recursive)')
    p.add_argument('--out-dir', required=True, help='where labels go')
    p.add_argument(
        '--img-suffix',
        default=None,
        help='image suffix (e.g. _leftImg8bit.png); None picks the '
        'most frequent of ' + ' '.join(IMAGE_SUFFIXES))
    p.add_argument(
        '--label-suffix',
        default='.png',
        help='label suffix replacing the image suffix')
    p.add_argument(
        '--overwrite',
        action='store_true',
        help='relabel every image, also into a folder made with '
        'other settings')
    p.add_argument(
        '--threshold',
        type=float,
        default=0.5,
        help='keep the argmax where the top-class probability is above '
        '(paper and authors\' code: 0.5)')
    p.add_argument(
        '--mask-border',
        type=int,
        nargs=4,
        default=None,
        metavar=('TOP', 'BOTTOM', 'LEFT', 'RIGHT'),
        help='ignore all but rows [TOP, BOTTOM) and columns [LEFT, '
        'RIGHT) (the authors\' Cityscapes: 15 840 14 2030)')
    p.add_argument(
        '--coarse-dir',
        default=None,
        help='ground-truth coarse labels mirroring --img-dir; with '
        '--coarse-classes, pixels of those classes are added where the '
        'teacher predicts the class somewhere in the image')
    p.add_argument(
        '--coarse-suffix',
        default='_gtCoarse_labelTrainIds.png',
        help='coarse label suffix replacing the image suffix')
    p.add_argument(
        '--coarse-classes',
        type=int,
        nargs='+',
        default=None,
        help='classes taken from --coarse-dir (the authors\' Cityscapes: '
        '14 15 16)')
    p.add_argument(
        '--scales',
        type=float,
        nargs='+',
        default=None,
        help='inference scales of a '
        'HMSAEncoderDecoder (must contain 1.0)')
    p.add_argument(
        '--device',
        default='cuda:0' if torch.cuda.is_available() else 'cpu',
        help='device for the teacher')
    p.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    p.add_argument(
        '--allow-partial',
        action='store_true',
        help='go on when the checkpoint fills less than 99%% of '
        "the model's parameters")
    p.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    return p.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> Tuple[int, int]:
    args = parse_args(argv)

    import mmseg_gated  # noqa: F401
    from mmseg_gated.apis import init_tool_model
    if args.scales is not None and 1.0 not in args.scales:
        raise ValueError(f'--scales must contain 1.0, got {args.scales}')
    img_suffix = args.img_suffix or detect_suffix(args.img_dir)
    rels = list_images(args.img_dir, img_suffix)  # fail before the model
    if (args.coarse_dir is None) != (args.coarse_classes is None):
        raise ValueError('--coarse-dir and --coarse-classes go together')
    coarse_dir = None
    if args.coarse_dir is not None:
        coarse_dir = osp.abspath(args.coarse_dir)
        missing = [
            r for r in rels if not osp.isfile(
                label_path(r, coarse_dir, img_suffix, args.coarse_suffix))
        ]
        if missing:
            raise FileNotFoundError(
                f'{len(missing)} of {len(rels)} images have no coarse label '
                f'in {coarse_dir}, e.g. ' + label_path(
                    missing[0], coarse_dir, img_suffix, args.coarse_suffix))
    if args.mask_border is not None:
        top, bottom, left, right = args.mask_border
        if not (0 <= top < bottom and 0 <= left < right):
            raise ValueError('--mask-border needs 0 <= TOP < BOTTOM and '
                             f'0 <= LEFT < RIGHT, got {args.mask_border}')
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'error: checkpoint {args.checkpoint!r} does not '
                         'exist')
    manifest = dict(
        config=osp.abspath(args.config),
        checkpoint=osp.abspath(args.checkpoint),
        checkpoint_sha256=file_sha256(args.checkpoint),
        threshold=args.threshold,
        scales=args.scales,
        img_suffix=img_suffix,
        label_suffix=args.label_suffix,
        mask_border=args.mask_border,
        coarse_dir=coarse_dir,
        coarse_suffix=args.coarse_suffix if coarse_dir else None,
        coarse_classes=sorted(set(args.coarse_classes))
        if coarse_dir else None)
    keep = check_manifest(args.out_dir, manifest, args.overwrite)
    model = init_tool_model(args.config, args.checkpoint, args.device,
                            args.allow_partial, args.cfg_options)
    if args.scales is not None:
        if not hasattr(model, 'test_scales'):
            raise ValueError('--scales needs an HMSAEncoderDecoder, got '
                             f'{type(model).__name__}')
        model.test_scales = tuple(float(s) for s in args.scales)
    write_manifest(args.out_dir, manifest)
    done, skipped = autolabel(
        model,
        args.img_dir,
        args.out_dir,
        args.threshold,
        img_suffix,
        args.label_suffix,
        progress=not args.no_progress,
        overwrite=not keep,
        border=args.mask_border,
        coarse_dir=coarse_dir,
        coarse_suffix=args.coarse_suffix,
        coarse_classes=manifest['coarse_classes'] or ())
    print(
        f'labelled {done} images, skipped {skipped} already done',
        file=sys.stderr)
    return done, skipped


if __name__ == '__main__':
    main()
