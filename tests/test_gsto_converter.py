"""tools/model_converters/gsto_hrnet.py on a fake checkpoint in the authors'
layout (built from our model's keys by the inverse rules)."""
import importlib.util
import os.path as osp
import re

import torch
import torch.nn.functional as F

import mmseg_gated  # noqa: F401
from helpers import build_cpu_model

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
spec = importlib.util.spec_from_file_location(
    'gsto_hrnet_converter',
    osp.join(ROOT, 'tools', 'model_converters', 'gsto_hrnet.py'))
conv_mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conv_mod)

EXTRA = dict(
    stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK',
                num_blocks=(1, ), num_channels=(8, )),
    stage2=dict(num_modules=1, num_branches=2, block='BASIC',
                num_blocks=(1, 1), num_channels=(4, 8)),
    stage3=dict(num_modules=1, num_branches=3, block='BASIC',
                num_blocks=(1, 1, 1), num_channels=(4, 8, 16)),
    stage4=dict(num_modules=1, num_branches=4, block='BASIC',
                num_blocks=(1, 1, 1, 1), num_channels=(4, 8, 16, 32)))
NC = 3


def build_ours():
    return build_cpu_model(dict(
        type='EncoderDecoder',
        backbone=dict(type='GSTOHRNet', extra=EXTRA, num_classes=NC,
                      mode='official'),
        decode_head=dict(
            type='FCNHead', in_channels=[4, 8, 16, 32], in_index=(0, 1, 2, 3),
            channels=60, input_transform='resize_concat', kernel_size=1,
            num_convs=1, concat_input=False, dropout_ratio=-1,
            num_classes=NC, norm_cfg=dict(type='BN'))))


def to_authors(key):
    """Inverse of the converter's key map (independent rules)."""
    k = key
    m = re.match(r'backbone\.(stage\d\.\d)\.gate_layers\.(\d)\.(\d)\.conv\.'
                 r'(conv|bn)\.(.+)', k)
    if m:
        s, i, j, sub, n = m.groups()
        return f'{s}.att_layers.{i}.{j}.{0 if sub == "conv" else 1}.{n}'
    m = re.match(r'backbone\.transition_gate(\d)\.downsample\.(\d)\.(conv|bn)'
                 r'\.(.+)', k)
    if m:
        t, idx, sub, n = m.groups()
        return f'att{t}.{t}.{idx}.{0 if sub == "conv" else 1}.{n}'
    m = re.match(r'backbone\.transition_gate(\d)\.gate\.conv\.(conv|bn)\.(.+)',
                 k)
    if m:
        t, sub, n = m.groups()  # last conv of a chain of t convs
        return f'att{t}.{t}.{int(t) - 1}.{0 if sub == "conv" else 1}.{n}'
    m = re.match(r'backbone\.transition_gate(\d)\.predictor\.(.+)', k)
    if m:
        t, rest = m.groups()
        if rest.startswith('1.'):  # class conv
            rest = '3.' + rest[2:]
        rest = rest.replace('0.conv.', '0.').replace('0.bn.', '1.')
        return f'last_layer_stage{t}.{rest}'
    if k.startswith('decode_head.'):
        rest = k[len('decode_head.'):]
        rest = rest.replace('convs.0.conv.', '0.').replace('convs.0.bn.', '1.')
        rest = rest.replace('conv_seg.', '3.')
        return f'last_layer.{rest}'
    assert k.startswith('backbone.'), k
    return k[len('backbone.'):]


def fake_checkpoint(model):
    g = torch.Generator().manual_seed(0)
    src = {}
    for k, v in model.state_dict().items():
        if k.endswith('num_batches_tracked'):
            continue
        val = torch.randn(v.shape, generator=g)
        if k.endswith('running_var'):
            val = val.abs() + 0.5
        src['model.' + to_authors(k)] = val
    # convs before BN in their heads carry a bias; att1 exists but is unused
    for name in ('last_layer', 'last_layer_stage2', 'last_layer_stage3'):
        w = src[f'model.{name}.0.weight']
        src[f'model.{name}.0.bias'] = torch.randn(w.shape[0], generator=g)
    src['model.att1.1.0.0.weight'] = torch.randn(1, NC, 3, 3, generator=g)
    return src


def authors_bn(x, src, prefix):
    """InPlaceABN (eval): scale |w| + eps."""
    return F.batch_norm(x, src[prefix + 'running_mean'],
                        src[prefix + 'running_var'],
                        src[prefix + 'weight'].abs() + 1e-5,
                        src[prefix + 'bias'], False, 0., 1e-5)


def test_converter_fills_every_key_and_matches_outputs():
    model = build_ours()
    model.eval()
    src = fake_checkpoint(model)
    out = conv_mod.convert(src)
    own = model.state_dict()
    needed = {k for k in own if not k.endswith('num_batches_tracked')}
    assert set(out) == needed
    for k, v in out.items():
        assert v.shape == own[k].shape, k
    model.load_state_dict(out, strict=False)

    # BN stores |w| + eps
    k = 'backbone.bn1.weight'
    torch.testing.assert_close(out[k], src['model.bn1.weight'].abs() + 1e-5)

    # decode head: conv(+bias) -> BN -> ReLU -> conv, as the authors compute
    x = torch.randn(2, 60, 5, 5)
    ref = F.conv2d(x, src['model.last_layer.0.weight'],
                   src['model.last_layer.0.bias'])
    ref = F.relu(authors_bn(ref, src, 'model.last_layer.1.'))
    ref = F.conv2d(ref, src['model.last_layer.3.weight'],
                   src['model.last_layer.3.bias'])
    with torch.no_grad():
        ours = model.decode_head.conv_seg(model.decode_head.convs(x))
    torch.testing.assert_close(ours, ref, rtol=1e-4, atol=1e-4)

    # stage-3 predictor and its gate chain (3x3 s1, 3x3 s2, 3x3 s2)
    x = torch.randn(1, 28, 12, 12)
    p = F.conv2d(x, src['model.last_layer_stage3.0.weight'],
                 src['model.last_layer_stage3.0.bias'])
    p = F.relu(authors_bn(p, src, 'model.last_layer_stage3.1.'))
    p = F.conv2d(p, src['model.last_layer_stage3.3.weight'],
                 src['model.last_layer_stage3.3.bias'])
    a = p
    for j in range(3):
        a = F.conv2d(a, src[f'model.att3.3.{j}.0.weight'], stride=1 if j == 0
                     else 2, padding=1)
        a = F.relu(authors_bn(a, src, f'model.att3.3.{j}.1.'))
    with torch.no_grad():
        g, logits = model.backbone.transition_gate3(x)
    torch.testing.assert_close(logits, p, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(g, torch.sigmoid(a), rtol=1e-4, atol=1e-4)

    # one fuse-path gate
    x = torch.randn(1, 8, 6, 6)
    a = F.conv2d(x, src['model.stage3.0.att_layers.0.1.0.weight'])
    a = torch.sigmoid(F.relu(authors_bn(a, src,
                                        'model.stage3.0.att_layers.0.1.1.')))
    with torch.no_grad():
        torch.testing.assert_close(
            model.backbone.stage3[0].gate_layers[0][1](x), a)


def test_converter_rejects_unknown_keys():
    import pytest
    with pytest.raises(KeyError, match='unexpected key'):
        conv_mod.convert({'model.foo.weight': torch.zeros(1)})
