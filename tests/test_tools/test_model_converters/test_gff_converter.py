"""GFF converters: the parts the oracle test (``test_gff_oracle.py``, the
authors' DecoupleSegNets checkpoint end to end) does not reach, and the
torchvision DenseNet layout."""

import pytest
import torch
import torch.nn.functional as F
from helpers import load_module
from mmseg.registry import MODELS

import mmseg_gated  # noqa: F401


def load_converter(name):
    return load_module(name, f'tools/model_converters/{name}.py')


conv = load_converter('gff_wrn38_decouple')
W = 4  # fused width (128 in the real model)


def test_cls_input_reorder_preserves_output():
    g = torch.Generator().manual_seed(0)
    d3, aspp, d6, d9 = (torch.randn(1, W, 5, 5, generator=g) for _ in range(4))
    w_official = torch.randn(6, 4 * W, 3, 3, generator=g)
    ref = F.conv2d(torch.cat([d3, aspp, d6, d9], 1), w_official, padding=1)
    w_ours = conv.reorder_cls_input(w_official, W)
    got = F.conv2d(torch.cat([aspp, d3, d6, d9], 1), w_ours, padding=1)
    assert torch.allclose(ref, got, atol=1e-5)
    with pytest.raises(ValueError, match='input channels'):
        conv.reorder_cls_input(w_official[:, :-1], W)


def test_imagenet_leftovers_dropped_unknown_key_raises():
    # a WRN-38 ImageNet trunk file carries bn_out / classifier
    src = {
        'module.bn_out.0.weight': torch.ones(4096),
        'module.classifier.fc.weight': torch.zeros(1000, 4096),
        'module.mod1.conv1.weight': torch.zeros(64, 3, 3, 3)
    }
    assert list(conv.convert(src)) == ['backbone.mod1.conv1.weight']
    with pytest.raises(KeyError, match='unexpected key'):
        conv.convert({'module.foo.weight': torch.zeros(1)})


def torchvision_densenet_layout(growth,
                                init,
                                blocks,
                                bn_size=4,
                                num_classes=1000):
    """Keys and shapes of a released torchvision DenseNet file, written
    from torchvision's architecture (the released files spell the dense
    layers' modules ``norm.1``, ``conv.1``, ...), independent of ours."""

    def bn(prefix, c):
        return {
            f'{prefix}.{n}': (c, )
            for n in ('weight', 'bias', 'running_mean', 'running_var')
        }

    keys = {'features.conv0.weight': (init, 3, 7, 7)}
    keys.update(bn('features.norm0', init))
    c = init
    for i, n in enumerate(blocks):
        for j in range(n):
            p = f'features.denseblock{i + 1}.denselayer{j + 1}'
            cin = c + j * growth
            keys.update(bn(f'{p}.norm.1', cin))
            keys[f'{p}.conv.1.weight'] = (bn_size * growth, cin, 1, 1)
            keys.update(bn(f'{p}.norm.2', bn_size * growth))
            keys[f'{p}.conv.2.weight'] = (growth, bn_size * growth, 3, 3)
        c += n * growth
        if i < len(blocks) - 1:
            keys.update(bn(f'features.transition{i + 1}.norm', c))
            keys[f'features.transition{i + 1}.conv.weight'] = \
                (c // 2, c, 1, 1)
            c //= 2
    keys.update(bn('features.norm5', c))
    keys['classifier.weight'] = (num_classes, c)
    keys['classifier.bias'] = (num_classes, )
    return keys


def test_densenet121_torchvision_file():
    dn = load_converter('gff_densenet_torchvision')
    layout = torchvision_densenet_layout(32, 64, (6, 12, 24, 16))
    # torchvision's densenet121 has 7,978,856 parameters (its model card)
    n_params = sum(
        torch.Size(s).numel() for k, s in layout.items()
        if not k.endswith(('running_mean', 'running_var')))
    assert n_params == 7978856
    g = torch.Generator().manual_seed(0)
    src = {k: torch.randn(s, generator=g) for k, s in layout.items()}
    k_src = 'features.denseblock2.denselayer2.conv.1.weight'
    # plain DenseNet: every feature tensor, strictly
    plain = MODELS.build(
        dict(
            type='DenseNet',
            arch='121',
            output_stride=32,
            final_transition=False))
    out = dn.convert(src, keep_norm5=True)
    missing, unexpected = plain.load_state_dict(out, strict=False)
    assert not unexpected
    assert all(k.endswith('num_batches_tracked') for k in missing)
    assert torch.equal(
        plain.state_dict()['denseblock2.denselayer2.conv1.weight'], src[k_src])
    # DenseASPP variant: norm5 (half width after transition4) starts fresh
    aspp = MODELS.build(dict(type='DenseNet', arch='121'))
    out = dn.convert(src)
    assert not any(k.startswith('norm5') for k in out)
    missing, unexpected = aspp.load_state_dict(out, strict=False)
    assert not unexpected
    assert {k.split('.')[0] for k in missing
            if not k.endswith('num_batches_tracked')} == \
        {'transition4', 'norm5'}
