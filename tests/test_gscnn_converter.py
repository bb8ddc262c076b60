"""tools/model_converters/gscnn_official.py on a fake checkpoint in the
authors' layout (nv-tlabs/GSCNN network/gscnn.py), built from our model."""
import importlib.util
import os.path as osp
import re

import pytest
import torch

import mmseg_gated  # noqa: F401
from helpers import build_cpu_model

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
spec = importlib.util.spec_from_file_location(
    'gscnn_official',
    osp.join(ROOT, 'tools', 'model_converters', 'gscnn_official.py'))
conv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conv)

TINY = ((8, 8), (8, 16), (16, 16), (16, 32), (16, 16, 32), (16, 16, 64))

# our key -> the authors' key (written independently of the converter)
_INVERSE = [
    (r'^backbone\.(.*)$', r'\1'),
    (r'^decode_head\.side_outputs\.0\.', 'dsn3.'),
    (r'^decode_head\.side_outputs\.1\.', 'dsn4.'),
    (r'^decode_head\.side_outputs\.2\.', 'dsn7.'),
    (r'^decode_head\.shape_blocks\.(\d)\.',
     lambda m: f'res{int(m.group(1)) + 1}.'),
    (r'^decode_head\.shape_reduces\.(\d)\.',
     lambda m: f'd{int(m.group(1)) + 1}.'),
    (r'^decode_head\.gcls\.(\d)\.conv\.weight$',
     lambda m: f'gate{int(m.group(1)) + 1}.weight'),
    (r'^decode_head\.gcls\.(\d)\.gate_pre\.0\.',
     lambda m: f'gate{int(m.group(1)) + 1}._gate_conv.0.'),
    (r'^decode_head\.gcls\.(\d)\.gate_pre\.1\.conv\.',
     lambda m: f'gate{int(m.group(1)) + 1}._gate_conv.1.'),
    (r'^decode_head\.gcls\.(\d)\.gate\.conv\.conv\.',
     lambda m: f'gate{int(m.group(1)) + 1}._gate_conv.3.'),
    (r'^decode_head\.gcls\.(\d)\.gate\.conv\.bn\.',
     lambda m: f'gate{int(m.group(1)) + 1}._gate_conv.4.'),
    (r'^decode_head\.edge_out\.', 'fuse.'),
    (r'^decode_head\.gradient_fuse\.', 'cw.'),
    (r'^decode_head\.image_pool\.1\.conv\.', 'aspp.img_conv.0.'),
    (r'^decode_head\.image_pool\.1\.bn\.', 'aspp.img_conv.1.'),
    (r'^decode_head\.edge_branch\.conv\.', 'aspp.edge_conv.0.'),
    (r'^decode_head\.edge_branch\.bn\.', 'aspp.edge_conv.1.'),
    (r'^decode_head\.aspp_modules\.(\d)\.conv\.', r'aspp.features.\1.0.'),
    (r'^decode_head\.aspp_modules\.(\d)\.bn\.', r'aspp.features.\1.1.'),
    (r'^decode_head\.bottleneck\.conv\.', 'bot_aspp.'),
    (r'^decode_head\.c1_bottleneck\.conv\.', 'bot_fine.'),
    (r'^decode_head\.sep_bottleneck\.0\.conv\.', 'final_seg.0.'),
    (r'^decode_head\.sep_bottleneck\.0\.bn\.', 'final_seg.1.'),
    (r'^decode_head\.sep_bottleneck\.1\.conv\.', 'final_seg.3.'),
    (r'^decode_head\.sep_bottleneck\.1\.bn\.', 'final_seg.4.'),
    (r'^decode_head\.conv_seg\.', 'final_seg.6.'),
]


def authors_key(key):
    for pattern, repl in _INVERSE:
        if re.match(pattern, key):
            return re.sub(pattern, repl, key)
    raise KeyError(key)


def tiny_official():
    return build_cpu_model(dict(
        type='GSCNNEncoderDecoder',
        data_preprocessor=dict(
            type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375], bgr_to_rgb=True),
        backbone=dict(type='WiderResNet', channels=TINY,
                      out_indices=(0, 1, 2, 3, 6)),
        decode_head=dict(
            type='GSCNNHead', mode='official', in_channels=64, in_index=4,
            channels=8, dilations=(1, 2), c1_in_channels=8, c1_channels=4,
            c1_in_index=1, shape_in_index=0, shape_in_channels=64,
            gate_in_index=(2, 3, 4), gate_in_channels=(16, 16, 64),
            shape_channels=(64, 4, 4, 2), dropout_ratio=0, num_classes=3,
            align_corners=True),
        train_cfg=dict(), test_cfg=dict(mode='whole')))


def test_convert_official_checkpoint_roundtrip():
    torch.manual_seed(0)
    ours = tiny_official()
    ours.init_weights()
    for m in ours.modules():  # non-trivial running statistics
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    src = {}
    for k, v in ours.state_dict().items():
        if k == 'decode_head.conv_seg.bias':
            continue  # the authors' final conv has no bias
        src['module.' + authors_key(k)] = v.clone()
    src['module.dsn1.weight'] = torch.zeros(1, 64, 1, 1)  # unused by them
    src['module.bn_out.0.weight'] = torch.zeros(64)  # ImageNet-only
    ours.decode_head.conv_seg.bias.data.zero_()
    converted = conv.convert(dict(state_dict=src))
    fresh = tiny_official()
    missing, unexpected = fresh.load_state_dict(converted, strict=True)
    assert not missing and not unexpected
    ours.eval()
    fresh.eval()
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        a = ours._forward(x)
        b = fresh._forward(x)
    torch.testing.assert_close(a[0], b[0])
    torch.testing.assert_close(a[1], b[1])


def test_convert_rejects_unknown_keys():
    with pytest.raises(KeyError, match='unexpected key'):
        conv.convert({'module.something.weight': torch.zeros(1)})
