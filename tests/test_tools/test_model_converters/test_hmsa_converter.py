"""tools/model_converters/hmsa_mscale_ocr.py on a fake authors' checkpoint."""
import re

import torch
import torch.nn.functional as F
from helpers import build_cpu_model, hmsa_ocr_cfg, load_module

import mmseg_gated  # noqa: F401

conv = load_module('hmsa_conv', 'tools/model_converters/hmsa_mscale_ocr.py')

# our name -> the authors' name (NVIDIA MscaleOCR), written as regex rules
RULES = [
    (r'^decode_head\.0\.convs\.0\.conv\.', 'ocr.aux_head.0.'),
    (r'^decode_head\.0\.convs\.0\.bn\.', 'ocr.aux_head.1.0.'),
    (r'^decode_head\.0\.conv_seg\.', 'ocr.aux_head.2.'),
    (r'^decode_head\.1\.bottleneck\.conv\.', 'ocr.conv3x3_ocr.0.'),
    (r'^decode_head\.1\.bottleneck\.bn\.', 'ocr.conv3x3_ocr.1.0.'),
    (r'^decode_head\.1\.conv_seg\.', 'ocr.cls_head.'),
    (r'^decode_head\.1\.scale_attn\.convs\.(\d)\.conv\.',
     lambda m: f'scale_attn.conv{m.group(1)}.'),
    (r'^decode_head\.1\.scale_attn\.convs\.(\d)\.bn\.',
     lambda m: f'scale_attn.bn{m.group(1)}.'),
    (r'^decode_head\.1\.scale_attn\.gate\.conv\.conv\.', 'scale_attn.conv2.'),
]
P = 'ocr.ocr_distri_head.object_context_block.'
OAB = {
    'query_project.0.conv': 'f_pixel.0',
    'query_project.0.bn': 'f_pixel.1.0',
    'query_project.1.conv': 'f_pixel.2',
    'query_project.1.bn': 'f_pixel.3.0',
    'key_project.0.conv': 'f_object.0',
    'key_project.0.bn': 'f_object.1.0',
    'key_project.1.conv': 'f_object.2',
    'key_project.1.bn': 'f_object.3.0',
    'value_project.conv': 'f_down.0',
    'value_project.bn': 'f_down.1.0',
    'out_project.conv': 'f_up.0',
    'out_project.bn': 'f_up.1.0',
}


def to_authors(key):
    if key.startswith('backbone.'):
        return key
    m = re.match(r'^decode_head\.1\.object_context_block\.(.+)\.(\w+)$', key)
    if m:
        mod, name = m.groups()
        if mod == 'bottleneck.conv':
            return 'ocr.ocr_distri_head.conv_bn_dropout.0.' + name
        if mod == 'bottleneck.bn':
            return 'ocr.ocr_distri_head.conv_bn_dropout.1.0.' + name
        return P + OAB[mod] + '.' + name
    for pat, rep in RULES:
        if re.match(pat, key):
            return re.sub(pat, rep, key)
    raise KeyError(key)


def test_convert_fake_checkpoint_roundtrip_and_bias_folding():
    torch.manual_seed(0)
    ours = build_cpu_model(hmsa_ocr_cfg(upsample_to_input=True)).eval()
    for m in ours.modules():  # non-trivial BN statistics
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
    src = {
        'module.' + to_authors(k): v.clone()
        for k, v in ours.state_dict().items()
    }
    # the authors' aux and 3x3 OCR convs carry a bias
    bias = torch.randn(ours.decode_head[1].channels)
    src['module.ocr.conv3x3_ocr.0.bias'] = bias
    src['module.ocr.aux_head.0.bias'] = torch.randn(
        ours.decode_head[0].channels)
    dst, unused = conv.convert_mscale_ocr(src)
    assert unused == []
    fresh = build_cpu_model(hmsa_ocr_cfg(upsample_to_input=True)).eval()
    missing, unexpected = fresh.load_state_dict(dst, strict=True)
    assert not missing and not unexpected
    # the folded bias: ConvModule(x) == relu(BN(conv(x) + b)) with the
    # authors' statistics
    bott = fresh.decode_head[1].bottleneck
    x = torch.randn(1, bott.conv.in_channels, 6, 5)
    bn = ours.decode_head[1].bottleneck.bn
    ref = F.relu(
        F.batch_norm(
            F.conv2d(
                x, ours.decode_head[1].bottleneck.conv.weight, bias,
                padding=1),
            bn.running_mean,
            bn.running_var,
            bn.weight,
            bn.bias,
            eps=bn.eps))
    with torch.no_grad():
        torch.testing.assert_close(bott(x), ref, rtol=1e-5, atol=1e-5)
    # everything else is identical
    torch.testing.assert_close(
        fresh.decode_head[1].scale_attn.gate.conv.conv.weight,
        ours.decode_head[1].scale_attn.gate.conv.conv.weight)
    with torch.no_grad():
        ours.decode_head[0].convs[0].bn.running_mean.sub_(
            src['module.ocr.aux_head.0.bias'])
        ours.decode_head[1].bottleneck.bn.running_mean.sub_(bias)
        img = torch.randn(1, 3, 32, 32)
        torch.testing.assert_close(
            fresh.encode_decode(img, [dict()]),
            ours.encode_decode(img, [dict()]))
