# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Convert the authors' DeepLabV3+ / WiderResNet-38 GFFNet checkpoint to
mmseg_gated's state dict for
``configs/gff/gffnet-deeplabv3plus_wrn38-a2_8xb1-100k_cityscapes-864x864.py``
(``WiderResNet`` + ``GFFOfficialHead``, whose neck is ``GFFOfficialNeck``).

Source layout (lxtGH/DecoupleSegNets, ``network/gffnets.py``,
``DeepWV3PlusGFFNet`` saved through DataParallel, so every key starts with
``module.``; the file may wrap it in ``{'state_dict': ...}``):

==================================  ==========================================
source                              ours
==================================  ==========================================
mod1..mod7.*                        backbone.mod1..mod7.* (same inner names)
aspp.img_conv.0 / .1                decode_head.image_pool.1.conv / .bn
aspp.features.k.0 / .1 (k = 0..3)   decode_head.aspp_modules.k.conv / .bn
bot_aspp                            decode_head.bottleneck.conv
gff_head.d_in{1,2,3}.0 / .1         decode_head.fusion.reduce_convs.{0,1,2}
                                    .conv / .bn
gff_head.gate{1,2,3}.0              decode_head.fusion.gates.{0,1,2}.conv.conv
gff_head.dense_{3,6,9}.norm1/conv1  decode_head.dfp_convs.{0,1,2}.0.bn/.conv
gff_head.dense_{3,6,9}.norm2/conv2  decode_head.dfp_convs.{0,1,2}.1.bn/.conv
gff_head.cls.0 / .1                 decode_head.fpn_bottleneck.0.conv / .bn
                                    (input channels reordered, see below)
gff_head.cls.3 / .4                 decode_head.fpn_bottleneck.1.conv / .bn
gff_head.cls.6 (no bias)            decode_head.conv_seg (bias set to 0)
==================================  ==========================================

The authors concatenate ``[dense_3, reduced ASPP, dense_6, dense_9]``
before ``cls``; we concatenate ``[reduced context, y_top, y_mid, y_low]``,
so the input channels of ``cls.0`` are permuted. ImageNet-only
``bn_out``/``classifier`` keys of a WRN backbone checkpoint are dropped.

    python tools/model_converters/gff_wrn38_decouple.py SRC DST
"""
import argparse
import re
from collections import OrderedDict
from typing import Dict

import torch

from mmseg_gated.apis import load_checkpoint_file

_RULES = [
    (r'^(mod[1-7]\..*)$', r'backbone.\1'),
    (r'^aspp\.img_conv\.0\.(.*)$', r'decode_head.image_pool.1.conv.\1'),
    (r'^aspp\.img_conv\.1\.(.*)$', r'decode_head.image_pool.1.bn.\1'),
    (r'^aspp\.features\.(\d)\.0\.(.*)$',
     r'decode_head.aspp_modules.\1.conv.\2'),
    (r'^aspp\.features\.(\d)\.1\.(.*)$', r'decode_head.aspp_modules.\1.bn.\2'),
    (r'^bot_aspp\.(.*)$', r'decode_head.bottleneck.conv.\1'),
    (r'^gff_head\.cls\.0\.(.*)$', r'decode_head.fpn_bottleneck.0.conv.\1'),
    (r'^gff_head\.cls\.1\.(.*)$', r'decode_head.fpn_bottleneck.0.bn.\1'),
    (r'^gff_head\.cls\.3\.(.*)$', r'decode_head.fpn_bottleneck.1.conv.\1'),
    (r'^gff_head\.cls\.4\.(.*)$', r'decode_head.fpn_bottleneck.1.bn.\1'),
    (r'^gff_head\.cls\.6\.(.*)$', r'decode_head.conv_seg.\1'),
]
_DENSE = {'3': 0, '6': 1, '9': 2}
_DENSE_PART = {
    'norm1': '0.bn',
    'conv1': '0.conv',
    'norm2': '1.bn',
    'conv2': '1.conv'
}


def convert_key(key: str):
    """Our key for one source key (without ``module.``), or None to drop."""
    if key.startswith('bn_out.') or key.startswith('classifier.'):
        return None
    m = re.match(r'^gff_head\.d_in([123])\.([01])\.(.*)$', key)
    if m:
        part = 'conv' if m.group(2) == '0' else 'bn'
        return (f'decode_head.fusion.reduce_convs.{int(m.group(1)) - 1}.'
                f'{part}.{m.group(3)}')
    m = re.match(r'^gff_head\.gate([123])\.0\.(.*)$', key)
    if m:
        return (f'decode_head.fusion.gates.{int(m.group(1)) - 1}.conv.conv.'
                f'{m.group(2)}')
    m = re.match(r'^gff_head\.dense_([369])\.(norm1|conv1|norm2|conv2)\.(.*)$',
                 key)
    if m:
        return (f'decode_head.dfp_convs.{_DENSE[m.group(1)]}.'
                f'{_DENSE_PART[m.group(2)]}.{m.group(3)}')
    for pattern, repl in _RULES:
        if re.match(pattern, key):
            return re.sub(pattern, repl, key)
    raise KeyError(f'unexpected key in the GFF checkpoint: {key}')


def reorder_cls_input(weight: torch.Tensor, width: int) -> torch.Tensor:
    """``[dense_3, aspp, dense_6, dense_9]`` -> ``[aspp, dense_3, dense_6,
    dense_9]`` along the input channels (each ``width`` wide)."""
    if weight.size(1) != 4 * width:
        raise ValueError(f'cls.0 expects {4 * width} input channels, got '
                         f'{weight.size(1)}')
    d3, aspp, d6, d9 = weight.split(width, dim=1)
    return torch.cat([aspp, d3, d6, d9], dim=1)


def convert(src: Dict[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """Map the authors' state dict to ours."""
    if 'state_dict' in src and isinstance(src['state_dict'], dict):
        src = src['state_dict']
    out = OrderedDict()
    for key, value in src.items():
        k = key[len('module.'):] if key.startswith('module.') else key
        new = convert_key(k)
        if new is None:
            continue
        if new == 'decode_head.fpn_bottleneck.0.conv.weight':
            width = src_width(src)
            value = reorder_cls_input(value, width)
        out[new] = value
    if 'decode_head.conv_seg.weight' in out and \
            'decode_head.conv_seg.bias' not in out:
        w = out['decode_head.conv_seg.weight']
        out['decode_head.conv_seg.bias'] = w.new_zeros(w.size(0))
    return out


def src_width(src: Dict[str, torch.Tensor]) -> int:
    """Width of the fused levels (output channels of ``d_in1``)."""
    for key, value in src.items():
        if key.endswith('gff_head.d_in1.0.weight'):
            return value.size(0)
    raise KeyError('gff_head.d_in1.0.weight not found')


def main():
    parser = argparse.ArgumentParser(
        description=' '.join(__doc__.split('\n\n')[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('src', help="the authors' checkpoint")
    parser.add_argument('dst', help='output path')
    args = parser.parse_args()
    # reads the authors' file (numpy mean_iu, optimizer state ...) without
    # executing pickled code
    ckpt = load_checkpoint_file(args.src, map_location='cpu')
    torch.save(dict(state_dict=convert(ckpt)), args.dst)


if __name__ == '__main__':
    main()
