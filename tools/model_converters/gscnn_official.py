# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Convert the authors' released Gated-SCNN checkpoint (WiderResNet-38) to
mmseg_gated's state dict for
``configs/gscnn/gscnn_wrn38-a2_8xb1-65k_cityscapes-800x800.py``
(:class:`GSCNNOfficialHead`).

Source layout (nv-tlabs/GSCNN, ``network/gscnn.py``, class ``GSCNN`` saved
through DataParallel, so keys start with ``module.``; the file wraps them in
``{'state_dict': ...}``):

==============================  =============================================
source                          ours
==============================  =============================================
mod1..mod7.*                    backbone.mod1..mod7.* (same inner names)
dsn3 / dsn4 / dsn7              decode_head.side_outputs.0 / 1 / 2
dsn1 (unused by the forward)    dropped
res1 / res2 / res3              decode_head.shape_blocks.0 / 1 / 2
                                (conv1, bn1, conv2, bn2: same names)
d1 / d2 / d3                    decode_head.shape_reduces.0 / 1 / 2
gateK.weight                    decode_head.gcls.K-1.conv.weight
gateK._gate_conv.N              decode_head.gcls.K-1.gate.N
fuse                            decode_head.edge_out
cw                              decode_head.gradient_fuse (*)
aspp.img_conv.0 / .1            decode_head.image_pool.1.conv / .bn
aspp.edge_conv.0 / .1           decode_head.edge_branch.conv / .bn
aspp.features.k.0 / .1          decode_head.aspp_modules.k.conv / .bn
bot_aspp                        decode_head.bottleneck.conv
bot_fine                        decode_head.c1_bottleneck.conv
final_seg.0 / .1                decode_head.sep_bottleneck.0.conv (*) / .bn
final_seg.3 / .4                decode_head.sep_bottleneck.1.conv / .bn
final_seg.6 (no bias)           decode_head.conv_seg (bias set to 0)
==============================  =============================================

(*) Re-arranged weights: their decoder concatenates ``[fine, aspp]`` and
ours ``[aspp, fine]``, so the input channels of ``final_seg.0`` are rotated
(the fine width is ``bot_fine``'s output width); their Canny map enters
``cw`` as 0/255 and ours as 0/1, so ``cw``'s weight on it is multiplied by
255. The rest of their computation (Canny of the normalised input, the
authors' GCL gate, the final upsampling with ``align_corners=False``) is
:class:`GSCNNOfficialHead`'s. Both networks concatenate the ASPP branches
as [image pool, edge, 1x1, atrous...]. ImageNet-only ``bn_out`` /
``classifier`` keys are dropped.

    python tools/model_converters/gscnn_official.py SRC DST

then test with ``CONFIG`` (below) and ``DST``.
"""
import argparse
import re
from collections import OrderedDict
from typing import Dict, Optional

import torch

from mmseg_gated.apis import load_checkpoint_file

# the config the converted weights load into (strictly)
CONFIG = 'configs/gscnn/gscnn_wrn38-a2_8xb1-65k_cityscapes-800x800.py'
# their Canny map is 0/255, ours 0/1
CANNY_SCALE = 255.

_RULES = [
    (r'^(mod[1-7]\..*)$', r'backbone.\1'),
    (r'^dsn3\.(.*)$', r'decode_head.side_outputs.0.\1'),
    (r'^dsn4\.(.*)$', r'decode_head.side_outputs.1.\1'),
    (r'^dsn7\.(.*)$', r'decode_head.side_outputs.2.\1'),
    (r'^fuse\.(.*)$', r'decode_head.edge_out.\1'),
    (r'^cw\.(.*)$', r'decode_head.gradient_fuse.\1'),
    (r'^aspp\.img_conv\.0\.(.*)$', r'decode_head.image_pool.1.conv.\1'),
    (r'^aspp\.img_conv\.1\.(.*)$', r'decode_head.image_pool.1.bn.\1'),
    (r'^aspp\.edge_conv\.0\.(.*)$', r'decode_head.edge_branch.conv.\1'),
    (r'^aspp\.edge_conv\.1\.(.*)$', r'decode_head.edge_branch.bn.\1'),
    (r'^aspp\.features\.(\d+)\.0\.(.*)$',
     r'decode_head.aspp_modules.\1.conv.\2'),
    (r'^aspp\.features\.(\d+)\.1\.(.*)$',
     r'decode_head.aspp_modules.\1.bn.\2'),
    (r'^bot_aspp\.(.*)$', r'decode_head.bottleneck.conv.\1'),
    (r'^bot_fine\.(.*)$', r'decode_head.c1_bottleneck.conv.\1'),
    (r'^final_seg\.0\.(.*)$', r'decode_head.sep_bottleneck.0.conv.\1'),
    (r'^final_seg\.1\.(.*)$', r'decode_head.sep_bottleneck.0.bn.\1'),
    (r'^final_seg\.3\.(.*)$', r'decode_head.sep_bottleneck.1.conv.\1'),
    (r'^final_seg\.4\.(.*)$', r'decode_head.sep_bottleneck.1.bn.\1'),
    (r'^final_seg\.6\.(.*)$', r'decode_head.conv_seg.\1'),
]


def convert_key(key: str) -> Optional[str]:
    """Our key for one source key (without ``module.``), or None to drop."""
    if key.startswith(('bn_out.', 'classifier.', 'dsn1.')):
        return None
    m = re.match(r'^res([123])\.(.*)$', key)
    if m:
        return f'decode_head.shape_blocks.{int(m.group(1)) - 1}.{m.group(2)}'
    m = re.match(r'^d([123])\.(.*)$', key)
    if m:
        return f'decode_head.shape_reduces.{int(m.group(1)) - 1}.{m.group(2)}'
    m = re.match(r'^gate([123])\.weight$', key)
    if m:
        return f'decode_head.gcls.{int(m.group(1)) - 1}.conv.weight'
    m = re.match(r'^gate([123])\._gate_conv\.([0134]\..*)$', key)
    if m:
        return f'decode_head.gcls.{int(m.group(1)) - 1}.gate.{m.group(2)}'
    for pattern, repl in _RULES:
        if re.match(pattern, key):
            return re.sub(pattern, repl, key)
    raise KeyError(f'unexpected key in the GSCNN checkpoint: {key}')


def convert(src: Dict[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """Map the authors' state dict (or their checkpoint file's content) to
    ours."""
    if 'state_dict' in src and isinstance(src['state_dict'], dict):
        src = src['state_dict']
    src = OrderedDict((k[len('module.'):] if k.startswith('module.') else k, v)
                      for k, v in src.items())
    out = OrderedDict()
    for key, value in src.items():
        new = convert_key(key)
        if new is None:
            continue
        if key == 'final_seg.0.weight':
            if 'bot_fine.weight' not in src:
                raise KeyError('final_seg.0.weight needs bot_fine.weight '
                               '(the width of the fine feature)')
            fine = src['bot_fine.weight'].size(0)
            # theirs [fine, aspp] -> ours [aspp, fine]
            value = torch.cat([value[:, fine:], value[:, :fine]], dim=1)
        elif key == 'cw.weight':
            # input channels [edge, canny]; our canny map is 0/1
            value = value.clone()
            value[:, 1] *= CANNY_SCALE
        out[new] = value
    if 'decode_head.conv_seg.weight' in out and \
            'decode_head.conv_seg.bias' not in out:
        w = out['decode_head.conv_seg.weight']
        out['decode_head.conv_seg.bias'] = w.new_zeros(w.size(0))
    return out


def main():
    parser = argparse.ArgumentParser(
        description=' '.join(__doc__.split('\n\n')[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('src', help="the authors' checkpoint")
    parser.add_argument('dst', help='output path')
    args = parser.parse_args()
    # the authors' file holds tensors and plain values only
    # reads the authors' file without executing pickled code
    ckpt = load_checkpoint_file(args.src, map_location='cpu')
    torch.save(dict(state_dict=convert(ckpt)), args.dst)
    print(f'converted {args.src} -> {args.dst}; config: {CONFIG}')


if __name__ == '__main__':
    main()
