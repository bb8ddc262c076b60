"""GFFHead (GFF + DFP), DenseASPPHead and DenseNet on tiny inputs."""
import pytest
import torch

from mmseg_gated.models.backbones import DenseNet
from mmseg_gated.models.decode_heads import (DenseASPPHead, GFFHead,
                                             GFFOfficialHead)
from mmseg_gated.models.necks import GFFOfficialNeck

pytestmark = [
    # mmseg's BaseDecodeHead builds its loss through the deprecated helper
    pytest.mark.filterwarnings('ignore:``build_loss`` would be deprecated'),
]

IN_CH = [8, 12, 16, 20]
SIZES = [(13, 17), (7, 9), (7, 9), (7, 9)]


def inputs(batch=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [
        torch.randn(batch, c, *s, generator=g) for c, s in zip(IN_CH, SIZES)
    ]


def head(**kwargs):
    cfg = dict(
        in_channels=IN_CH,
        in_index=[0, 1, 2, 3],
        channels=6,
        num_classes=5,
        context_channels=10,
        pool_scales=(1, 2),
        fusion_cfg=dict(out_channels=4, fusion='gff'),
        dfp_channels=3,
        norm_cfg=dict(type='BN'),
        loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True))
    cfg.update(kwargs)
    torch.manual_seed(0)
    return GFFHead(**cfg)


def test_dfp_channels_and_dense_connections():
    h = head()
    # 4 levels, top-down: H_l sees y_0 (10), the deeper pyramid outputs (3
    # each) and the fused level (4)
    assert [m.conv.in_channels for m in h.dfp_convs] == \
        [10 + 4, 10 + 3 + 4, 10 + 6 + 4, 10 + 9 + 4]
    # the 1x1 classifier sits on y_0 + 4 pyramid outputs (the paper)
    assert h.pyramid_channels == 10 + 4 * 3
    assert len(h.fpn_bottleneck) == 0
    assert h.conv_seg.in_channels == h.pyramid_channels
    out = h(inputs())
    assert out.shape == (2, 5, 13, 17)
    h = head(num_bottleneck_convs=1)
    assert h.fpn_bottleneck[0].conv.in_channels == h.pyramid_channels
    assert h.conv_seg.in_channels == 6
    assert h(inputs()).shape == (2, 5, 13, 17)


def test_every_pyramid_level_reaches_classifier():
    h = head().train()
    feats = {}

    def keep(k):

        def hook(module, args, output):
            output.retain_grad()
            feats[k] = output

        return hook

    for k, m in enumerate(h.dfp_convs):
        m.register_forward_hook(keep(k))
    out = h(inputs())
    (out * torch.randn_like(out)).sum().backward()
    assert len(feats) == 4
    for k, y in feats.items():
        # each y_l reaches the logits directly (concat) ...
        assert y.grad is not None and y.grad.abs().sum() > 0, k
    # ... and every parameter of the head is used
    for name, p in h.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_head_runs_the_neck_forward_so_gate_hooks_work():
    h = head().eval()
    calls, gates = [], {}
    h.fusion.register_forward_hook(
        lambda m, args, out: calls.append(len(args[0])))
    for i, g in enumerate(h.fusion.gates):
        g.register_forward_hook(
            lambda m, args, out, i=i: gates.__setitem__(i, out))
    x = inputs(1)
    with torch.no_grad():
        ref = h(x)
    assert calls == [4]
    assert [tuple(g.shape) for g in gates.values()] == \
        [(1, 1, 13, 17), (1, 1, 7, 9), (1, 1, 7, 9), (1, 1, 7, 9)]
    # a hook that zeroes the stage-1 gate changes the prediction
    handle = h.fusion.gates[0].register_forward_hook(
        lambda m, args, out: torch.zeros_like(out))
    with torch.no_grad():
        zeroed = h(x)
    handle.remove()
    assert not torch.allclose(zeroed, ref, atol=1e-4)
    with torch.no_grad():
        assert torch.equal(h(x), ref)


def test_dfp_off_is_the_plus_gff_row():
    h = head(dfp=False)
    assert not hasattr(h, 'dfp_convs')
    assert h.pyramid_channels == 10 + 4 * 4
    assert h(inputs()).shape == (2, 5, 13, 17)


@pytest.mark.parametrize('fusion', ['concat', 'add', 'fpn', 'gated_fpn'])
def test_table1_fusions_in_head(fusion):
    h = head(
        fusion_cfg=dict(out_channels=4, fusion=fusion),
        dfp=False,
        context_as_level=(fusion == 'fpn'))
    out = h(inputs())
    assert out.shape == (2, 5, 13, 17)
    out.sum().backward()


@pytest.mark.parametrize('context', ['ppm', 'denseaspp'])
def test_contexts(context):
    kw = dict(context=context)
    if context == 'denseaspp':
        kw.update(dilations=(1, 2), denseaspp_channels=(6, 3))
    h = head(**kw).eval()
    assert h(inputs(1)).shape == (1, 5, 13, 17)


def official_head(**kwargs):
    cfg = dict(
        in_channels=[8, 12, 20],
        in_index=[0, 1, 3],
        channels=6,
        num_classes=5,
        context_channels=10,
        dilations=(1, 2, 3),
        channels_fused=4,
        dfp_dilations=(3, 6, 9),
        dropout_ratio=0,
        norm_cfg=dict(type='BN'),
        align_corners=True,
        loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True))
    cfg.update(kwargs)
    torch.manual_seed(0)
    return GFFOfficialHead(**cfg)


@pytest.mark.filterwarnings('ignore:When align_corners=True')
def test_official_head_layout():
    # WRN-38 DeepLabV3+ GFF of the authors' code: levels m2, m5 + the ASPP
    # output, 4-wide gates (128 there), sequential order, DFP of dense
    # blocks without y_0, reduced context in the concat, two 3x3 convs
    # before the classifier
    h = official_head().train()
    assert isinstance(h.fusion, GFFOfficialNeck)
    assert h.bottleneck.norm_cfg is None and h.bottleneck.conv.bias is None
    assert h.fusion.in_channels == [8, 12, 10]
    assert [m[0].conv.in_channels for m in h.dfp_convs] == [4, 8, 12]
    assert [m[1].conv.dilation for m in h.dfp_convs] == \
        [(3, 3), (6, 6), (9, 9)]
    assert h.fpn_bottleneck[0].conv.in_channels == 4 + 3 * 4
    assert len(h.fpn_bottleneck) == 2
    gates = {}
    for i, g in enumerate(h.fusion.gates):
        g.register_forward_hook(
            lambda m, args, out, i=i: gates.__setitem__(i, out.shape))
    out = h(inputs())
    assert out.shape == (2, 5, 13, 17)
    assert [tuple(gates[i][1:]) for i in range(3)] == \
        [(4, 13, 17), (4, 7, 9), (4, 7, 9)]
    out.sum().backward()
    for name, p in h.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_official_head_bad_config():
    with pytest.raises(ValueError, match='dfp_dilations needs 3'):
        official_head(dfp_dilations=(3, 6))
    with pytest.raises(ValueError, match='at least 2 inputs'):
        official_head(in_channels=[20], in_index=[3], dfp_dilations=(3, ))
    bad = inputs()
    bad[1] = torch.randn(2, 3, 7, 9)
    with pytest.raises(ValueError, match='GFFOfficialHead input 1: expected'):
        official_head()(bad)


def test_head_bad_config():
    with pytest.raises(ValueError, match='context must be'):
        head(context='psp')
    # the authors' ASPP context lives in GFFOfficialHead
    with pytest.raises(ValueError, match='context must be'):
        head(context='aspp')
    with pytest.raises(ValueError, match='dfp_block'):
        head(dfp_block='dense3')
    with pytest.raises(ValueError, match='level_index'):
        head(level_index=[0, 4])
    h = head()
    bad = inputs()
    bad[2] = torch.randn(2, 3, 7, 9)
    with pytest.raises(ValueError, match='input 2: expected 16'):
        h(bad)


def test_dense_aspp_head_by_hand():
    torch.manual_seed(0)
    h = DenseASPPHead(
        in_channels=8,
        mid_channels=4,
        growth_channels=3,
        dilations=(1, 2),
        num_classes=5,
        norm_cfg=dict(type='BN'),
        loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True)).eval()
    assert h.channels == 8 + 2 * 3
    x = torch.randn(1, 8, 9, 7)
    y1 = h.dense_aspp.layers[0](x)
    y2 = h.dense_aspp.layers[1](torch.cat([y1, x], 1))
    exp = h.conv_seg(torch.cat([y2, y1, x], 1))
    assert torch.allclose(h([x]), exp, atol=1e-5)
    # the first layer has no norm (its input is the backbone's norm5)
    assert h.dense_aspp.layers[0][0].norm_cfg is None


def test_densenet121_layout():
    m = DenseNet('121')
    assert m.out_channels == (256, 512, 1024, 1024, 512)
    assert m.strides == (4, 8, 8, 8, 8)
    n = sum(p.numel() for p in m.parameters())
    # torchvision densenet121 features: 6.95M; + transition4 (1024->512)
    assert abs(n - (6953856 + 1024 * 512 + 2 * 1024 - 2 * 1024 + 2 * 512)) \
        < 5e3, n
    assert 'denseblock3.denselayer1.conv2.weight' in m.state_dict()
    assert m.denseblock4.denselayer1.conv2.dilation == (4, 4)


def torchvision_densenet_sizes(h, w):
    """Feature sizes after dense blocks 1-4 of torchvision's DenseNet
    (output stride 32), by hand."""

    def stem(s):
        s = (s + 2 * 3 - 7) // 2 + 1  # conv0
        return (s + 2 * 1 - 3) // 2 + 1  # pool0

    sizes = [(stem(h), stem(w))]
    for _ in range(3):
        sizes.append((sizes[-1][0] // 2, sizes[-1][1] // 2))
    return sizes


@pytest.mark.parametrize('size', [(97, 129), (90, 75), (64, 64)])
def test_densenet_sizes_match_torchvision(size):
    arch = dict(growth_rate=4, num_init_features=8, block_config=(1, 1, 1, 1))
    m = DenseNet(arch, output_stride=32, final_transition=False).eval()
    with torch.no_grad():
        outs = m(torch.randn(1, 3, *size))
    want = torchvision_densenet_sizes(*size)
    assert [tuple(o.shape[2:]) for o in outs[:4]] == want
    try:
        import torchvision
    except ImportError:
        return
    tv = torchvision.models.densenet121().features.eval()
    x = torch.randn(1, 3, *size)
    got = []
    with torch.no_grad():
        for name, layer in tv.named_children():
            x = layer(x)
            if name.startswith('denseblock'):
                got.append(tuple(x.shape[2:]))
    assert got == want


def test_densenet_odd_input_and_161():
    arch = dict(growth_rate=4, num_init_features=8, block_config=(1, 2, 1, 1))
    m = DenseNet(arch).eval()
    outs = m(torch.randn(1, 3, 97, 129))
    assert [o.shape[1] for o in outs] == list(m.out_channels)
    # torchvision / DenseASPP arithmetic: conv0 (7x7, s2, p3) and pool0
    # (3x3, s2, p1) give floor((s - 1) / 2) + 1 each, a pooling transition
    # (2x2 average, s2, floor) s // 2: 97 -> 49 -> 25 -> 12,
    # 129 -> 65 -> 33 -> 16
    assert [tuple(o.shape[2:]) for o in outs] == \
        [(25, 33), (12, 16), (12, 16), (12, 16), (12, 16)]
    assert DenseNet('161', out_indices=(4, )).out_channels == (1104, )
    with pytest.raises(ValueError, match='arch must be one of'):
        DenseNet('100')
