# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Per-scale predictions and attention of a multi-scale attention model on
one image (hierarchical multi-scale attention, Fig. 5).

    python tools/analysis_tools/visualize_hmsa.py CONFIG CHECKPOINT IMAGE \\
        [--out-dir DIR] [--scales 0.5 1.0 2.0]

CHECKPOINT may be ``none`` (random weights). The model runs once on the
whole image, as ``tools/test.py`` would (the config's test pipeline and
``test_scales``); forward hooks on the unmodified model record what each
scale computed.
PNGs, all at the image's size, named after the image (``STEM``):

- ``STEM_pred.png``: the joint prediction (the dataset's palette);
- ``STEM_scale{s}_pred.png``: the prediction of scale ``s`` alone;
- ``STEM_scale{s}_weight.png``: the share of scale ``s`` in the joint
  prediction (white 1, black 0; the shares of all scales sum to 1 at every
  pixel, as in the paper's Fig. 5). Hierarchical attention: the chain of
  the model's own ``HierarchicalScaleFusion`` applied to the recorded
  attention maps; explicit attention: its softmax;
- ``STEM_scale{s}_attn.png`` (hierarchical only): the relative attention
  ``a_s`` the head predicted (the highest scale's is not used);
- ``STEM_hmsa.png``: the image, the joint prediction and, per scale, the
  prediction above its share.
"""
import argparse
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch


def parse_args(argv: Optional[Sequence[str]] = None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(
        description='Write the per-scale predictions and attention of a '
        'multi-scale attention model on one image as PNGs (the paper\'s '
        'Fig. 5).',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('config', help='config of a MultiScaleAttention* model')
    p.add_argument(
        'checkpoint', help='checkpoint, or "none" for random '
        'weights')
    p.add_argument('image', help='input image')
    p.add_argument(
        '--out-dir',
        default=None,
        help='where the PNGs go (default: beside the image)')
    p.add_argument(
        '--scales',
        type=float,
        nargs='+',
        default=None,
        help="inference scales (default: the config's "
        'test_scales; must contain 1.0)')
    p.add_argument('--device', default='cpu', help='device of the model')
    p.add_argument(
        '--allow-partial',
        action='store_true',
        help='go on when the checkpoint fills less than 99%% '
        "of the model's parameters")
    p.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    return p.parse_args(argv)


def palette_of(model, cfg, num_classes: int) -> np.ndarray:
    """RGB palette: the checkpoint's, else the test dataset's, else a
    fixed random one."""
    meta = getattr(model, 'dataset_meta', None) or {}
    palette = meta.get('palette')
    if palette is None:
        from mmseg.registry import DATASETS
        try:
            ds = DATASETS.get(cfg.test_dataloader.dataset.type)
            palette = ds.METAINFO.get('palette')
        except (AttributeError, KeyError, TypeError):
            palette = None
    if palette is None or len(palette) < num_classes:
        rng = np.random.default_rng(0)
        palette = rng.integers(0, 256, (num_classes, 3))
    return np.asarray(palette, dtype=np.uint8)


def colorize(label: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Class map -> BGR image."""
    return palette[np.clip(label, 0, len(palette) - 1)][..., ::-1].copy()


def gray(x: torch.Tensor) -> np.ndarray:
    """``h x w`` map in [0, 1] -> BGR uint8 (white = 1)."""
    g = np.clip(x.float().cpu().numpy() * 255.0 + 0.5, 0, 255)
    return cv2.cvtColor(g.astype(np.uint8), cv2.COLOR_GRAY2BGR)


def upsample(x: torch.Tensor, size, align_corners: bool) -> torch.Tensor:
    return torch.nn.functional.interpolate(
        x.float(),
        size=tuple(size),
        mode='bilinear',
        align_corners=align_corners)


def record(model) -> tuple:
    """Forward hooks on the attention head's classifier and on the module
    that predicts the attention: one entry per scale, in call order."""
    store: Dict[str, List[torch.Tensor]] = dict(logits=[], attn=[])
    head = model.attention_head
    fusion = model.scale_fusion
    attn_module = fusion.attention if fusion.takes_features \
        else head.scale_attn

    def keep(name):

        def fn(module, args, output):
            store[name].append(output.detach().cpu())

        return fn

    handles = [
        head.conv_seg.register_forward_hook(keep('logits')),
        attn_module.register_forward_hook(keep('attn'))
    ]
    return store, handles


def scale_shares(model, scales: Sequence[float], attns: List[torch.Tensor],
                 size) -> List[torch.Tensor]:
    """The weight of each scale's prediction in the joint one, ``h x w``
    per scale, at ``size``."""
    ac = model.align_corners
    fusion = model.scale_fusion
    if fusion.takes_features:  # explicit: one softmax over fusion.scales
        attn = upsample(attns[0], size, ac)[0]
        return [attn[fusion.scales.index(s)] for s in scales]
    # hierarchical: the chain is linear in the predictions, so feeding a
    # constant 1 for one scale and 0 for the others gives that scale's share
    maps = [upsample(a, size, ac) for a in attns]
    ones = torch.ones(1, 1, *size)
    return [
        fusion(scales,
               [[ones if j == i else 0 * ones
                 for j in range(len(scales))]], maps)[0][0, 0]
        for i in range(len(scales))
    ]


def caption(img: np.ndarray, text: str) -> np.ndarray:
    bar = np.full((18, img.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (3, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0),
                1, cv2.LINE_AA)
    return np.concatenate([bar, img], axis=0)


def montage(image, joint, preds, shares, scales) -> np.ndarray:
    """Two rows: image / joint, then per scale (ascending) its prediction
    above its share."""
    order = sorted(range(len(scales)), key=lambda i: scales[i])
    top = [caption(image, 'image')]
    bottom = [caption(joint, 'joint prediction')]
    for i in order:
        top.append(caption(preds[i], f'{scales[i]:g}x prediction'))
        bottom.append(caption(shares[i], f'{scales[i]:g}x share'))
    return np.concatenate(
        [np.concatenate(top, axis=1),
         np.concatenate(bottom, axis=1)], axis=0)


def main(argv: Optional[Sequence[str]] = None) -> List[str]:
    args = parse_args(argv)
    import mmcv
    from mmseg.apis import inference_model

    import mmseg_gated  # noqa: F401
    from mmseg_gated.models.segmentors import MultiScaleAttentionMixin
    from mmseg_gated.utils import init_tool_model

    if not osp.isfile(args.image):
        raise SystemExit(f'error: image {args.image} not found')
    if args.scales is not None and 1.0 not in args.scales:
        raise SystemExit(f'error: --scales must contain 1.0, got '
                         f'{args.scales}')

    def prepare(cfg):
        if cfg.model.get('type') == 'SegTTAModel':
            raise SystemExit(f'error: {args.config} is a test-time '
                             'augmentation config; give the config of the '
                             'model it wraps')
        if args.scales is not None:
            cfg.model.test_scales = tuple(args.scales)
        cfg.model.test_cfg = dict(mode='whole')  # one pass per scale

    model = init_tool_model(args.config, args.checkpoint, args.device,
                            args.allow_partial, args.cfg_options, prepare)
    if not isinstance(model, MultiScaleAttentionMixin):
        raise SystemExit(
            f'error: {type(model).__name__} is not a multi-scale attention '
            'model (MultiScaleAttentionEncoderDecoder or '
            'MultiScaleAttentionCascadeEncoderDecoder)')

    image = mmcv.imread(args.image)  # BGR
    size = image.shape[:2]
    scales = model.test_scales
    store, handles = record(model)
    try:
        with torch.no_grad():
            result = inference_model(model, args.image)
    finally:
        for h in handles:
            h.remove()
    if len(store['logits']) != len(scales):
        raise RuntimeError(f'expected one classifier call per scale '
                           f'{scales}, recorded {len(store["logits"])}')

    palette = palette_of(model, model.cfg, model.num_classes)
    ac = model.align_corners
    joint = colorize(result.pred_sem_seg.data[0].cpu().numpy(), palette)
    preds = [
        colorize(upsample(lg, size, ac)[0].argmax(0).numpy(), palette)
        for lg in store['logits']
    ]
    shares = [
        gray(w) for w in scale_shares(model, scales, store['attn'], size)
    ]

    out_dir = args.out_dir or osp.dirname(osp.abspath(args.image))
    stem = osp.splitext(osp.basename(args.image))[0]
    written = []

    def write(name, img):
        path = osp.join(out_dir, f'{stem}_{name}.png')
        mmcv.imwrite(img, path)
        written.append(path)

    write('pred', joint)
    top = max(scales)
    for i, s in enumerate(scales):
        write(f'scale{s:g}_pred', preds[i])
        write(f'scale{s:g}_weight', shares[i])
        if not model.scale_fusion.takes_features and s != top:
            write(f'scale{s:g}_attn',
                  gray(upsample(store['attn'][i], size, ac)[0, 0]))
    write('hmsa', montage(image, joint, preds, shares, scales))
    for path in written:
        print(path)
    return written


if __name__ == '__main__':
    main()
