# Copyright (c) mmseg_gated contributors. All rights reserved.
"""Convert the authors' GSTO-HRNet checkpoint to an mmseg_gated state dict.

Source: https://github.com/VDIGPKU/GSTO (``models/gsto_hrnet.py``), e.g.
``model_pth/gsto_hrnet_w48_cityscapes.pth``, saved from their ``FullModel``
wrapper (model keys prefixed ``model.``, plus the loss's class weights
``loss.criterion.weight``, which are skipped with a log line that compares
them with HRNet's Cityscapes class weights; ``module.``
from DataParallel is also stripped). Target:
``configs/gsto/fcn_gsto-hr48_*.py`` (``GSTOOfficialHRNet``, the authors'
layout, + mmseg's ``FCNHead``). Key layout of the source:

- HRNet keys (``conv1``, ``bn1``, ``layer1``, ``transition*``,
  ``stage*.*.branches``, ``stage*.*.fuse_layers``) are named as in mmseg's
  HRNet and keep their names (under ``backbone.``);
- ``stage{s}.{m}.att_layers.{i}.{j}.{0,1}`` (1x1 conv, BN of one channel;
  a ReLU follows) -> ``backbone.stage{s}.{m}.gate_layers.{i}.{j}.conv.
  {conv,bn}``;
- ``att{t}.{i}.{k}.{0,1}`` (3x3 conv, BN, ReLU chain on the stage
  prediction; the first at stride 1, the others at stride 2) ->
  ``backbone.transition_gate{t}.downsample.{k}.{conv,bn}``, the last one
  ``backbone.transition_gate{t}.gate.conv.{conv,bn}``; ``att1`` is built but
  never used by the authors' forward and is dropped;
- ``last_layer_stage{2,3}.{0,1,3}`` (1x1 conv with bias, BN, ReLU, 1x1 conv)
  -> ``backbone.transition_gate{2,3}.predictor.{0.conv, 0.bn, 1}``;
- ``last_layer.{0,1,3}`` -> ``decode_head.{convs.0.conv, convs.0.bn,
  conv_seg}``.

Two value changes make the outputs equal:

- their BN is InPlaceABN(Sync), which scales by ``|weight| + eps``
  (it keeps the scale positive to invert the activation): we store that;
- their 1x1 convs before a BN have a bias, ours (mmcv ConvModule with a
  norm) do not: the bias is folded into the BN's running mean
  (``BN(Wx + b) = BN'(Wx)`` with ``mean' = mean - b``).

    python tools/model_converters/gsto_hrnet.py SRC.pth DST.pth
"""
import argparse
import re
from collections import OrderedDict
from typing import Dict

import torch
from mmengine.logging import print_log

from mmseg_gated.apis import load_checkpoint_file

BN_EPS = 1e-5
BN_PARAMS = ('weight', 'bias', 'running_mean', 'running_var')
# HRNet-Semantic-Segmentation lib/datasets/cityscapes.py, class_weights, as
# configs/_base_/datasets/cityscapes_512x1024_hrnet.py
HRNET_CITYSCAPES_CLASS_WEIGHT = (0.8373, 0.918, 0.866, 1.0345, 1.0166, 0.9969,
                                 0.9754, 1.0489, 0.8786, 1.0023, 0.9539,
                                 0.9843, 1.1116, 0.9037, 1.0865, 1.0955,
                                 1.0865, 1.1529, 1.0507)


def model_keys(
        src: Dict[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """The model's tensors, prefixes stripped.

    A ``module.`` (DataParallel) prefix is dropped. A checkpoint saved from
    the authors' ``FullModel`` holds the model under ``model.`` beside the
    loss's buffers (``loss.criterion.weight``, their Cityscapes class
    weights); as their ``test.py``, only the ``model.`` keys are kept and the
    others are skipped with one log line naming them.
    """
    state = OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in src.items())
    if not any(k.startswith('model.') for k in state):
        return state
    skipped = [k for k in state if not k.startswith('model.')]
    if skipped:
        weight = state.get('loss.criterion.weight')
        report = '' if weight is None else (' (' +
                                            class_weight_report(weight) + ')')
        print_log(
            'gsto_hrnet: skipped non-model keys of the checkpoint: ' +
            ', '.join(skipped) + report,
            logger='current')
    return OrderedDict((k[len('model.'):], v) for k, v in state.items()
                       if k.startswith('model.'))


def class_weight_report(weight: torch.Tensor) -> str:
    """How the checkpoint's ``loss.criterion.weight`` (the class weights
    their criterion trained with) compares with HRNet's Cityscapes class
    weights, which the Cityscapes configs pass to ``HRNetCrossEntropyLoss``
    (``class_weight``)."""
    values = [float(v) for v in weight.flatten()]
    text = 'loss.criterion.weight = [' + ', '.join(f'{v:.4f}'
                                                   for v in values) + ']'
    if len(values) != len(HRNET_CITYSCAPES_CLASS_WEIGHT):
        return text + (f' ({len(values)} values; HRNet\'s Cityscapes class '
                       f'weights have {len(HRNET_CITYSCAPES_CLASS_WEIGHT)})')
    diff = max(
        abs(a - b) for a, b in zip(values, HRNET_CITYSCAPES_CLASS_WEIGHT))
    return text + ('; max |difference| from HRNet\'s Cityscapes class '
                   f'weights (the configs\' class_weight): {diff:.3g}')


def _att_chain_len(keys, t: int) -> Dict[str, int]:
    """Number of convs in each ``att{t}.{i}`` chain."""
    lens = {}
    for k in keys:
        m = re.match(rf'att{t}\.(\d+)\.(\d+)\.0\.weight$', k)
        if m:
            i, k = m.group(1), int(m.group(2))
            lens[i] = max(lens.get(i, 0), k + 1)
    return lens


def map_key(key: str, chain_lens: Dict[int, Dict[str, int]]) -> str:
    """Our key for a (prefix-stripped) source key; '' to drop it."""
    m = re.match(r'(stage\d+\.\d+)\.att_layers\.(\d+)\.(\d+)\.([01])\.(.+)$',
                 key)
    if m:
        stage, i, j, layer, name = m.groups()
        sub = 'conv' if layer == '0' else 'bn'
        return f'backbone.{stage}.gate_layers.{i}.{j}.conv.{sub}.{name}'
    m = re.match(r'att(\d)\.(\d+)\.(\d+)\.([01])\.(.+)$', key)
    if m:
        t, i, k, layer, name = m.groups()
        if t == '1':
            return ''
        sub = 'conv' if layer == '0' else 'bn'
        n = chain_lens[int(t)][i]
        if int(k) == n - 1:
            return f'backbone.transition_gate{t}.gate.conv.{sub}.{name}'
        return f'backbone.transition_gate{t}.downsample.{k}.{sub}.{name}'
    m = re.match(r'last_layer(_stage(\d))?\.(\d)\.(.+)$', key)
    if m:
        _, stage, layer, name = m.groups()
        if stage is None:
            target = {
                '0': 'decode_head.convs.0.conv',
                '1': 'decode_head.convs.0.bn',
                '3': 'decode_head.conv_seg'
            }[layer]
        else:
            base = f'backbone.transition_gate{stage}.predictor'
            target = {
                '0': f'{base}.0.conv',
                '1': f'{base}.0.bn',
                '3': f'{base}.1'
            }[layer]
        return f'{target}.{name}'
    if key.startswith(('conv', 'bn', 'layer1', 'transition', 'stage')):
        return f'backbone.{key}'
    raise KeyError(f'unexpected key in the GSTO checkpoint: {key}')


def _is_bn(key: str, state: dict) -> bool:
    """A source BN: has running stats beside its weight."""
    return key.endswith('.weight') and \
        key[:-len('weight')] + 'running_var' in state


def convert(src: Dict[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """Map the authors' state dict to ours (see the module docstring)."""
    state = model_keys(src)
    chain_lens = {t: _att_chain_len(state, t) for t in (2, 3)}
    out = OrderedDict()
    for key, value in state.items():
        new = map_key(key, chain_lens)
        if not new:
            continue
        if _is_bn(key, state):
            value = value.abs() + BN_EPS  # InPlaceABN scales by |w| + eps
        out[new] = value
    # fold the bias of a conv followed by a BN into the BN's running mean
    for key, value in state.items():
        m = re.match(r'(last_layer(?:_stage\d)?)\.0\.bias$', key)
        if not m:
            continue
        conv_new = map_key(key, chain_lens)
        del out[conv_new]
        mean_new = map_key(f'{m.group(1)}.1.running_mean', chain_lens)
        out[mean_new] = out[mean_new] - value
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert the authors\' GSTO-HRNet checkpoint')
    parser.add_argument('src', help='source checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint (.pth)')
    args = parser.parse_args(argv)
    # reads the authors' file without executing pickled code
    ckpt = load_checkpoint_file(args.src, map_location='cpu')
    if isinstance(ckpt, dict) and 'state_dict' in ckpt:
        ckpt = ckpt['state_dict']
    torch.save(dict(state_dict=convert(ckpt)), args.dst)


if __name__ == '__main__':
    main()
