"""tools/model_converters/gsto_hrnet.py: key handling. Its outputs are
checked against the authors' own outputs in test_gsto_oracle.py."""

import pytest
import torch
from helpers import load_module

conv_mod = load_module('gsto_hrnet_converter',
                       'tools/model_converters/gsto_hrnet.py')


def bn(prefix, n=2):
    return {
        f'{prefix}.{k}': torch.rand(n) + 0.5
        for k in ('weight', 'bias', 'running_mean', 'running_var')
    }


def test_prefixes_stripped_and_non_model_keys_skipped(monkeypatch):
    logs = []
    monkeypatch.setattr(conv_mod, 'print_log',
                        lambda msg, **kwargs: logs.append(msg))
    src = {
        'module.model.conv1.weight': torch.zeros(2, 3, 3, 3),
        **{
            'module.model.' + k: v
            for k, v in bn('bn1').items()
        }, 'module.loss.criterion.weight': torch.ones(19)
    }
    out = conv_mod.convert(src)
    assert set(out) == {
        'backbone.conv1.weight', 'backbone.bn1.weight', 'backbone.bn1.bias',
        'backbone.bn1.running_mean', 'backbone.bn1.running_var'
    }
    # one line, comparing their class weights with HRNet's Cityscapes ones
    # (max |1 - w| = |1 - 0.8373|)
    assert logs == [
        'gsto_hrnet: skipped non-model keys of the checkpoint: '
        'loss.criterion.weight (loss.criterion.weight = [' +
        ', '.join(['1.0000'] * 19) + ']; max |difference| from HRNet\'s '
        'Cityscapes class weights (the configs\' class_weight): 0.163)'
    ]
    # InPlaceABN scales by |w| + eps
    w = src['module.model.bn1.weight']
    torch.testing.assert_close(out['backbone.bn1.weight'], w.abs() + 1e-5)


def test_bare_model_state_dict_logs_nothing(monkeypatch):
    logs = []
    monkeypatch.setattr(conv_mod, 'print_log',
                        lambda msg, **kwargs: logs.append(msg))
    out = conv_mod.convert({'conv1.weight': torch.zeros(2, 3, 3, 3)})
    assert list(out) == ['backbone.conv1.weight'] and not logs


def test_head_conv_bias_folded_into_bn_mean():
    src = {
        'model.last_layer.0.weight': torch.randn(2, 4, 1, 1),
        'model.last_layer.0.bias': torch.tensor([1., -2.]),
        **{
            'model.' + k: v
            for k, v in bn('last_layer.1').items()
        }
    }
    out = conv_mod.convert(src)
    assert 'decode_head.convs.0.conv.bias' not in out
    torch.testing.assert_close(
        out['decode_head.convs.0.bn.running_mean'],
        src['model.last_layer.1.running_mean'] - torch.tensor([1., -2.]))


def test_converter_rejects_unknown_model_keys():
    with pytest.raises(KeyError, match='unexpected key'):
        conv_mod.convert({'model.foo.weight': torch.zeros(1)})
