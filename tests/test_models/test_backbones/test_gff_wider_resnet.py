"""WiderResNet (WRN-38 A2): channels, strides, dilation, odd sizes, errors."""
import pytest
import torch

from mmseg_gated.models.backbones import WiderResNet

# Narrow widths keep the test fast; the topology is the real one.
TINY = ((8, 8), (8, 16), (16, 16), (16, 32), (16, 16, 32), (16, 16, 64))


def test_wrn38_default_layout():
    model = WiderResNet()
    assert model.out_channels == (64, 128, 256, 512, 1024, 2048, 4096)
    assert model.strides == (1, 2, 4, 8, 8, 8, 8)
    # WRN-38: 3+3+6+3+1+1 blocks, each with 2 (or 3) convs, + mod1 conv
    n_blocks = sum(len(getattr(model, f'mod{i}')) for i in range(2, 8))
    assert n_blocks == 17
    # dilations as the authors' dilation=True: mod5 2, mod6/mod7 4
    assert model.mod5.block1.convs.conv1.dilation == (2, 2)
    assert model.mod6.block1.convs.conv2.dilation == (4, 4)
    assert model.mod7.block1.convs.conv2.dilation == (4, 4)
    assert model.mod4.block1.convs.conv1.stride == (2, 2)
    # checkpoint-compatible key names
    keys = set(model.state_dict())
    for k in ('mod1.conv1.weight', 'mod2.block1.bn1.0.running_mean',
              'mod2.block1.convs.conv1.weight', 'mod2.block1.proj_conv.weight',
              'mod6.block1.convs.bn3.0.weight',
              'mod7.block1.convs.conv3.weight'):
        assert k in keys, k

    # conv weights counted by hand from the A2 layout (no classifier)
    def basic(cin, c, n):  # n blocks of two 3x3 convs, first projects
        first = cin * c[0] * 9 + c[0] * c[1] * 9 + cin * c[1]
        return first + (n - 1) * (c[1] * c[0] * 9 + c[0] * c[1] * 9)

    def bottleneck(cin, c):
        return cin * c[0] + c[0] * c[1] * 9 + c[1] * c[2] + cin * c[2]

    expected = (3 * 64 * 9 + basic(64,
                                   (128, 128), 3) + basic(128, (256, 256), 3) +
                basic(256, (512, 512), 6) + basic(512, (512, 1024), 3) +
                bottleneck(1024, (512, 1024, 2048)) +
                bottleneck(2048, (1024, 2048, 4096)))
    n_conv = sum(m.weight.numel() for m in model.modules()
                 if isinstance(m, torch.nn.Conv2d))
    assert n_conv == expected
    assert 104e6 < expected < 106e6


@pytest.mark.parametrize('os_, strides', [
    (8, (1, 2, 4, 8, 8, 8, 8)),
    (16, (1, 2, 4, 8, 16, 16, 16)),
    (32, (1, 2, 4, 8, 16, 32, 32)),
])
def test_output_strides_odd_input(os_, strides):
    model = WiderResNet(channels=TINY, output_stride=os_, dropout=(0, ) * 6)
    model.init_weights()
    x = torch.randn(1, 3, 67, 45, requires_grad=True)
    outs = model(x)
    assert len(outs) == 7
    for out, c, s in zip(outs, (64, 8, 16, 16, 32, 32, 64), strides):
        assert out.shape == (1, c, -(-67 // s), -(-45 // s))
    sum(o.mean() for o in outs).backward()
    assert all(p.grad is not None for p in model.parameters())


def test_out_indices_gscnn_interface():
    # Gated-SCNN needs mod1, mod3, mod4 and mod7
    model = WiderResNet(channels=TINY, out_indices=(0, 2, 3, 6))
    model.eval()
    outs = model(torch.randn(2, 3, 33, 33))
    assert [o.shape[1] for o in outs] == [64, 16, 16, 64]
    assert model.out_channels == (64, 16, 16, 64)
    assert [o.shape[-1] for o in outs] == [33, 9, 5, 5]


def test_pre_activation_block_by_hand():
    model = WiderResNet(channels=TINY, dropout=(0, ) * 6).eval()
    block = model.mod3.block2  # identity shortcut
    x = torch.randn(1, 16, 5, 6)
    pre = block.bn1(x)
    expected = block.convs.conv2(block.convs.bn2(block.convs.conv1(pre))) + x
    assert torch.allclose(block(x), expected, atol=1e-6)


def test_norm_eval():
    model = WiderResNet(channels=TINY, norm_eval=True)
    model.train()
    assert not model.mod2.block1.bn1[0].training
    assert model.mod2.block1.convs.conv1.training


@pytest.mark.parametrize('kwargs', [
    dict(structure=(3, 3, 6, 3, 1)),
    dict(output_stride=4),
    dict(out_indices=(7, )),
    dict(channels=TINY[:5]),
    dict(dropout=(0, 0)),
])
def test_bad_arguments(kwargs):
    kwargs.setdefault('channels', TINY)
    with pytest.raises(ValueError):
        WiderResNet(**kwargs)
