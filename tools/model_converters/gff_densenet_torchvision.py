# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Convert torchvision's DenseNet ImageNet weights (``densenet121-*.pth``,
``densenet161-*.pth``) to :class:`mmseg_gated.models.backbones.DenseNet`.

Source layout (torchvision ``models/densenet.py``): ``features.conv0``,
``features.norm0``, ``features.denseblockN.denselayerM.{norm1,conv1,norm2,
conv2}`` (the released files spell them ``norm.1``, ``conv.1``, ...),
``features.transitionN.{norm,conv}``, ``features.norm5``, ``classifier``.
Ours drops ``features.`` and the classifier. With DenseASPP's fourth
transition (``final_transition=True``, the default) our ``norm5`` normalises
half the channels, so torchvision's ``norm5`` is dropped too (pass
``--keep-norm5`` for a plain DenseNet); ``transition4``/``norm5`` then start
from their initialisation, as in DenseASPP.

    python tools/model_converters/gff_densenet_torchvision.py SRC DST
"""
import argparse
import re
from collections import OrderedDict
from typing import Dict

import torch


def convert(src: Dict[str, torch.Tensor],
            keep_norm5: bool = False) -> 'OrderedDict[str, torch.Tensor]':
    if 'state_dict' in src and isinstance(src['state_dict'], dict):
        src = src['state_dict']
    out = OrderedDict()
    for key, value in src.items():
        if key.startswith('classifier.'):
            continue
        if not key.startswith('features.'):
            raise KeyError(f'unexpected key in a torchvision DenseNet: {key}')
        k = key[len('features.'):]
        if k.startswith('norm5.') and not keep_norm5:
            continue
        k = re.sub(r'\.(norm|relu|conv)\.([12])\.', r'.\1\2.', k)
        out[k] = value
    return out


def main():
    parser = argparse.ArgumentParser(
        description=' '.join(__doc__.split('\n\n')[0].split()),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('src')
    parser.add_argument('dst')
    parser.add_argument('--keep-norm5', action='store_true')
    args = parser.parse_args()
    src = torch.load(args.src, map_location='cpu', weights_only=True)
    torch.save(dict(state_dict=convert(src, args.keep_norm5)), args.dst)


if __name__ == '__main__':
    main()
