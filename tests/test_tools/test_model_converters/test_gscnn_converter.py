"""tools/model_converters/gscnn_official.py: key mapping and the weight
re-arrangements, by hand (the whole model is checked against the authors'
outputs in test_gscnn_oracle.py)."""
import os.path as osp
import sys

import pytest
import torch
from helpers import REPO_ROOT, load_module

CONVERTER = osp.join(REPO_ROOT, 'tools', 'model_converters',
                     'gscnn_official.py')
conv = load_module('gscnn_official', CONVERTER)


def test_decoder_input_rotated_and_canny_weight_scaled():
    # their final_seg.0 sees [fine (3 ch), aspp (5 ch)]; ours [aspp, fine]
    w = torch.arange(2 * 8 * 3 * 3, dtype=torch.float64).view(2, 8, 3, 3)
    cw = torch.tensor([[[[0.25]], [[-0.5]]]], dtype=torch.float64)
    src = {
        'module.final_seg.0.weight': w,
        'module.bot_fine.weight': torch.zeros(3, 7, 1, 1),
        'module.cw.weight': cw,
        'module.final_seg.6.weight': torch.ones(4, 2, 1, 1)
    }
    out = conv.convert(dict(state_dict=src))
    got = out['decode_head.sep_bottleneck.0.conv.weight']
    torch.testing.assert_close(got[:, :5], w[:, 3:])
    torch.testing.assert_close(got[:, 5:], w[:, :3])
    # edge channel untouched, Canny channel times 255 (their map is 0/255)
    torch.testing.assert_close(
        out['decode_head.gradient_fuse.weight'].flatten(),
        torch.tensor([0.25, -127.5], dtype=torch.float64))
    assert cw[0, 1].item() == -0.5  # the source is not modified
    assert torch.equal(out['decode_head.conv_seg.bias'], torch.zeros(4))
    assert out['decode_head.c1_bottleneck.conv.weight'].shape == (3, 7, 1, 1)


@pytest.mark.parametrize('key,ours', [
    ('mod3.block2.convs.conv1.weight', 'backbone.mod3.block2.convs.conv1.'
     'weight'),
    ('dsn7.bias', 'decode_head.side_outputs.2.bias'),
    ('res2.bn1.running_var', 'decode_head.shape_blocks.1.bn1.running_var'),
    ('d3.weight', 'decode_head.shape_reduces.2.weight'),
    ('gate1.weight', 'decode_head.gcls.0.conv.weight'),
    ('gate2._gate_conv.0.running_mean', 'decode_head.gcls.1.gate.0.'
     'running_mean'),
    ('gate3._gate_conv.1.bias', 'decode_head.gcls.2.gate.1.bias'),
    ('gate3._gate_conv.3.weight', 'decode_head.gcls.2.gate.3.weight'),
    ('gate1._gate_conv.4.bias', 'decode_head.gcls.0.gate.4.bias'),
    ('aspp.features.3.1.weight', 'decode_head.aspp_modules.3.bn.weight'),
    ('aspp.img_conv.0.weight', 'decode_head.image_pool.1.conv.weight'),
    ('aspp.edge_conv.1.bias', 'decode_head.edge_branch.bn.bias'),
    ('bot_aspp.weight', 'decode_head.bottleneck.conv.weight'),
    ('final_seg.4.running_mean', 'decode_head.sep_bottleneck.1.bn.'
     'running_mean'),
    ('dsn1.weight', None),
])
def test_convert_key(key, ours):
    assert conv.convert_key(key) == ours


def test_convert_rejects_unknown_keys():
    with pytest.raises(KeyError, match='unexpected key'):
        conv.convert({'module.something.weight': torch.zeros(1)})
    with pytest.raises(KeyError, match='bot_fine'):
        conv.convert({'module.final_seg.0.weight': torch.zeros(2, 8, 3, 3)})


def test_cli_writes_a_state_dict(tmp_path, monkeypatch, capsys):
    src, dst = tmp_path / 'authors.pth', tmp_path / 'ours.pth'
    torch.save(
        dict(
            state_dict={
                'module.fuse.weight': torch.ones(1, 8, 1, 1),
                'module.dsn1.bias': torch.zeros(1)
            }), src)
    monkeypatch.setattr(sys, 'argv', ['gscnn_official.py', str(src), str(dst)])
    conv.main()
    out = torch.load(dst, weights_only=True)['state_dict']
    assert list(out) == ['decode_head.edge_out.weight']
    assert conv.CONFIG in capsys.readouterr().out
    assert osp.isfile(osp.join(REPO_ROOT, conv.CONFIG))
