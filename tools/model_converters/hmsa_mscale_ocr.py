# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Convert the authors' HRNet-OCR multi-scale attention checkpoint.

Source: NVIDIA/semantic-segmentation (``network/ocrnet.py``, class
``MscaleOCR``; e.g. their released ``cityscapes_ocrnet.HRNet_Mscale_*.pth``).
Its ``state_dict`` (under the key ``state_dict``, names prefixed by
``module.`` when saved from DataParallel) has:

- ``backbone.*``: HRNetV2 in the official HRNet naming (conv1, bn1, conv2,
  bn2, layer1, transition1-3, stage2-4 with branches / fuse_layers), which
  mmseg's ``HRNet`` shares: copied as is;
- ``ocr.aux_head.{0,1.0,2}``: 1x1 conv (with bias), BN, 1x1 classifier ->
  the soft-region ``FCNHead`` (``decode_head.0``);
- ``ocr.conv3x3_ocr.{0,1.0}``: 3x3 conv (with bias), BN -> ``bottleneck``
  of the OCR head (``decode_head.1``);
- ``ocr.ocr_distri_head.object_context_block.{f_pixel,f_object,f_down,
  f_up}`` and ``ocr.ocr_distri_head.conv_bn_dropout`` -> mmseg's
  ``ObjectAttentionBlock`` (query/key/value/out projections, bottleneck);
- ``ocr.cls_head`` -> ``conv_seg``;
- ``scale_attn.{conv0,bn0,conv1,bn1,conv2}`` -> ``ScaleAttentionHead``
  (``convs.0``, ``convs.1``, ``gate.conv.conv``).

mmseg's ConvModule has no conv bias when followed by BN; the authors' conv
biases are folded into the BN's running mean (``BN(Wx + b)`` with mean
``m`` equals ``BN(Wx)`` with mean ``m - b``; exact in eval and training).

Load the result into
``configs/hmsa/ocrnet-hmsa_hr48_*_cityscapes-*.py``, which computes
as the authors' code: ``ResizeOnceHRNet`` (the official HRNet's fuse layers
resize a lower-resolution branch once to the target size; mmseg's ``HRNet``
upsamples by ``2 ** k`` first, which differs when an input side is not a
multiple of 32) and ``upsample_to_input=True`` in
``HMSAEncoderDecoder`` (scales combined at each scale's input
size; scale ``s`` sees a ``floor(s * H) x floor(s * W)`` image).

    python tools/model_converters/hmsa_mscale_ocr.py SRC.pth DST.pth
"""
import argparse
from collections import OrderedDict
from typing import Dict, List, Tuple

import torch

from mmseg_gated.apis import load_checkpoint_file

_BN = ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked')

# (source prefix, our conv prefix, our bn prefix or None)
_OCR = 'ocr.ocr_distri_head.object_context_block.'
_OAB = 'decode_head.1.object_context_block.'
_CONV_BN = [
    ('ocr.aux_head.0', 'ocr.aux_head.1.0', 'decode_head.0.convs.0'),
    ('ocr.conv3x3_ocr.0', 'ocr.conv3x3_ocr.1.0', 'decode_head.1.bottleneck'),
    (_OCR + 'f_pixel.0', _OCR + 'f_pixel.1.0', _OAB + 'query_project.0'),
    (_OCR + 'f_pixel.2', _OCR + 'f_pixel.3.0', _OAB + 'query_project.1'),
    (_OCR + 'f_object.0', _OCR + 'f_object.1.0', _OAB + 'key_project.0'),
    (_OCR + 'f_object.2', _OCR + 'f_object.3.0', _OAB + 'key_project.1'),
    (_OCR + 'f_down.0', _OCR + 'f_down.1.0', _OAB + 'value_project'),
    (_OCR + 'f_up.0', _OCR + 'f_up.1.0', _OAB + 'out_project'),
    ('ocr.ocr_distri_head.conv_bn_dropout.0',
     'ocr.ocr_distri_head.conv_bn_dropout.1.0', _OAB + 'bottleneck'),
    ('scale_attn.conv0', 'scale_attn.bn0', 'decode_head.1.scale_attn.convs.0'),
    ('scale_attn.conv1', 'scale_attn.bn1', 'decode_head.1.scale_attn.convs.1'),
]
# plain renames: (source prefix, our prefix)
_PLAIN = [
    ('ocr.aux_head.2', 'decode_head.0.conv_seg'),
    ('ocr.cls_head', 'decode_head.1.conv_seg'),
    ('scale_attn.conv2', 'decode_head.1.scale_attn.gate.conv.conv'),
]


def strip_prefix(src: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Drop a ``module.`` (DataParallel) prefix."""
    return OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in src.items())


def convert_mscale_ocr(
        src: Dict[str, torch.Tensor]) -> Tuple[OrderedDict, List[str]]:
    """Map the authors' MscaleOCR state dict to ours.

    Returns:
        tuple: (converted state dict, source keys that were not used).
    """
    src = strip_prefix(src)
    used = set()
    dst = OrderedDict()
    for k, v in src.items():
        if k.startswith('backbone.'):
            dst[k] = v
            used.add(k)
    for conv, bn, ours in _CONV_BN:
        w = conv + '.weight'
        if w not in src:
            raise KeyError(f'source checkpoint lacks {w!r}')
        dst[ours + '.conv.weight'] = src[w]
        used.add(w)
        for name in _BN:
            key = f'{bn}.{name}'
            if key in src:
                dst[f'{ours}.bn.{name}'] = src[key].clone()
                used.add(key)
        b = conv + '.bias'
        if b in src:  # fold the conv bias into the BN mean
            dst[ours + '.bn.running_mean'] = \
                dst[ours + '.bn.running_mean'] - src[b]
            used.add(b)
    for prefix, ours in _PLAIN:
        for name in ('weight', 'bias'):
            key = f'{prefix}.{name}'
            if key in src:
                dst[f'{ours}.{name}'] = src[key]
                used.add(key)
    unused = [k for k in src if k not in used]
    return dst, unused


def source_names(src_keys) -> Dict[str, str]:
    """Our parameter and buffer names -> the authors' names.

    The name map of :func:`convert_mscale_ocr` (the keys as given, e.g.
    with ``module.``), for comparing per-parameter values or gradients
    with the authors' model. The authors' conv biases before BN have no
    counterpart (they are folded into ``running_mean``, which maps to the
    BN's own ``running_mean``).
    """
    names = OrderedDict()
    plain = {
        (k[len('module.'):] if k.startswith('module.') else k): k
        for k in src_keys
    }
    for k, orig in plain.items():
        if k.startswith('backbone.'):
            names[k] = orig
    for conv, bn, ours in _CONV_BN:
        if conv + '.weight' in plain:
            names[ours + '.conv.weight'] = plain[conv + '.weight']
        for name in _BN:
            if f'{bn}.{name}' in plain:
                names[f'{ours}.bn.{name}'] = plain[f'{bn}.{name}']
    for prefix, ours in _PLAIN:
        for name in ('weight', 'bias'):
            if f'{prefix}.{name}' in plain:
                names[f'{ours}.{name}'] = plain[f'{prefix}.{name}']
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert NVIDIA MscaleOCR weights to mmseg_gated')
    parser.add_argument('src', help='authors\' checkpoint')
    parser.add_argument('dst', help='output path')
    args = parser.parse_args(argv)
    # reads the authors' file without executing pickled code
    ckpt = load_checkpoint_file(args.src, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    dst, unused = convert_mscale_ocr(state)
    if unused:
        print('unused source keys: ' + ', '.join(unused))
    torch.save(dict(state_dict=dst, meta=dict(source=args.src)), args.dst)


if __name__ == '__main__':
    main()
