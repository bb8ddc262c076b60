"""GFFNeck: Eq. 5 against a direct computation, the Table 1 fusions, gates
read and forced through forward hooks, odd sizes and bad input;
GFFOfficialNeck: the authors' sequential order by hand."""
import pytest
import torch
import torch.nn.functional as F

from mmseg_gated.models.necks import GFFNeck, GFFOfficialNeck

pytestmark = [
    # the authors resize with align_corners=True between any sizes; mmseg's
    # resize() warns unless they are n * k + 1
    pytest.mark.filterwarnings('ignore:When align_corners=True'),
]

IN_CH = (3, 4, 5)
SIZES = ((9, 11), (5, 6), (5, 6))


def make_inputs(batch=2, seed=0, sizes=SIZES, channels=IN_CH):
    g = torch.Generator().manual_seed(seed)
    return [
        torch.randn(batch, c, *s, generator=g)
        for c, s in zip(channels, sizes)
    ]


def plain(neck):
    """Non-trivial gate biases so the gates are not all ~0.5."""
    torch.manual_seed(0)
    for i, gate in enumerate(neck.gates or []):
        gate.conv.conv.bias.data.fill_(0.7 * (i - 1))
    return neck.eval()


def plain_neck(**kwargs):
    """Reductions are plain 1x1 convs (no norm/act) to ease hand checks."""
    torch.manual_seed(0)
    kwargs.setdefault('out_channels', 2)
    return plain(GFFNeck(list(IN_CH), norm_cfg=None, act_cfg=None, **kwargs))


def direct(inputs, neck):
    """Reduced features and gates computed from the raw weights."""
    feats, gates = [], []
    for i, x in enumerate(inputs):
        conv = neck.reduce_convs[i].conv
        feats.append(F.conv2d(x, conv.weight, conv.bias))
        if neck.gates is not None:
            gconv = neck.gates[i].conv.conv
            gates.append(torch.sigmoid(F.conv2d(x, gconv.weight, gconv.bias)))
    return feats, gates


def up(x, ref, align_corners=False):
    return F.interpolate(
        x, size=ref.shape[2:], mode='bilinear', align_corners=align_corners)


def record_gates(neck):
    """Forward hooks on the gate modules, as the tools use them."""
    seen = {}

    def hook(level):

        def fn(module, args, output):
            seen[level] = output.detach()

        return fn

    handles = [
        g.register_forward_hook(hook(i)) for i, g in enumerate(neck.gates)
    ]
    return seen, handles


def zero_gates(neck, levels):
    """Forward hooks that replace the gate maps of ``levels`` by 0."""
    return [
        neck.gates[i].register_forward_hook(
            lambda module, args, output: torch.zeros_like(output))
        for i in levels
    ]


def test_eq5_parallel_matches_direct_computation():
    neck = plain_neck(fusion='gff')
    inputs = make_inputs()
    seen, handles = record_gates(neck)
    outs = neck(inputs)
    X, G = direct(inputs, neck)
    assert len(outs) == 3
    for k in range(3):
        others = sum(up(G[i] * X[i], X[k]) for i in range(3) if i != k)
        expected = (1 + G[k]) * X[k] + (1 - G[k]) * others
        assert torch.allclose(outs[k], expected, atol=1e-5)
    # the gates reach tools through forward hooks, one channel per level
    assert [tuple(seen[i].shape) for i in range(3)] == \
        [(2, 1, 9, 11), (2, 1, 5, 6), (2, 1, 5, 6)]
    assert torch.allclose(seen[2], G[2])
    for h in handles:
        h.remove()


def test_zero_gates_through_hooks():
    neck = plain_neck(fusion='gff')
    inputs = make_inputs()
    X, G = direct(inputs, neck)
    handles = zero_gates(neck, [0, 1, 2])
    for out, x in zip(neck(inputs), X):
        assert torch.allclose(out, x, atol=1e-6)
    for h in handles:
        h.remove()
    # one gate at zero: that level sends nothing, is not amplified and
    # takes all the others send
    handles = zero_gates(neck, [1])
    outs = neck(inputs)
    exp0 = (1 + G[0]) * X[0] + (1 - G[0]) * up(G[2] * X[2], X[0])
    exp1 = X[1] + up(G[0] * X[0], X[1]) + G[2] * X[2]
    assert torch.allclose(outs[0], exp0, atol=1e-5)
    assert torch.allclose(outs[1], exp1, atol=1e-5)
    for h in handles:
        h.remove()
    # without hooks the model is back to Eq. 5
    assert not torch.allclose(neck(inputs)[1], exp1, atol=1e-3)


def test_sequential_order_matches_authors_code():
    # network/gffnets.py, WiderResNetGFFDFPHead.forward, written out
    torch.manual_seed(0)
    neck = plain(
        GFFOfficialNeck(
            list(IN_CH), out_channels=2, norm_cfg=None, act_cfg=None))
    inputs = make_inputs()
    *outs, reduced_top = neck(inputs)
    X, G = direct(inputs, neck)
    assert G[0].shape[1] == 2  # out_channels-wide gates

    def u(x, ref):
        return up(x, ref, align_corners=True)

    f0 = X[0] + G[0] * X[0] + (1 - G[0]) * (
        u(G[1] * X[1], X[0]) + u(G[2] * X[2], X[0]))
    f1 = X[1] + G[1] * X[1] + (1 - G[1]) * (
        u(G[0] * f0, X[1]) + u(G[2] * X[2], X[1]))
    f2 = X[2] + G[2] * X[2] + (1 - G[2]) * (
        u(G[1] * f1, X[2]) + u(G[0] * f0, X[2]))
    for out, exp in zip(outs, (f0, f1, f2)):
        assert torch.allclose(out, exp, atol=1e-5)
    assert torch.allclose(reduced_top, X[2], atol=1e-6)
    assert neck.out_channels == [2, 2, 2, 2]
    # and it differs from the parallel form (Eq. 5) on the same weights
    par = GFFNeck(
        list(IN_CH),
        out_channels=2,
        norm_cfg=None,
        act_cfg=None,
        gate_cfg=dict(gate_channels=2),
        align_corners=True)
    par.load_state_dict(neck.state_dict())
    assert not torch.allclose(par.eval()(inputs)[2], outs[2], atol=1e-3)


def test_baseline_fusions_by_hand():
    inputs = make_inputs()
    neck = plain_neck(fusion='add')
    X, _ = direct(inputs, neck)
    (out, ) = neck(inputs)
    assert torch.allclose(
        out, X[0] + up(X[1], X[0]) + up(X[2], X[0]), atol=1e-5)
    neck = plain_neck(fusion='concat')
    X, _ = direct(inputs, neck)
    (out, ) = neck(inputs)
    assert out.shape == (2, 6, 9, 11)
    assert torch.allclose(out[:, 2:4], up(X[1], X[0]), atol=1e-6)
    neck = plain_neck(fusion='fpn')
    X, _ = direct(inputs, neck)
    outs = neck(inputs)
    t2 = X[2]
    t1 = X[1] + t2
    t0 = X[0] + up(t1, X[0])
    for o, e in zip(outs, (t0, t1, t2)):
        assert torch.allclose(o, e, atol=1e-5)
    neck = plain_neck(fusion='gated_fpn')
    X, G = direct(inputs, neck)
    outs = neck(inputs)
    t1 = (1 + G[1]) * X[1] + (1 - G[1]) * (G[2] * X[2])
    t0 = (1 + G[0]) * X[0] + (1 - G[0]) * up(G[1] * t1, X[0])
    assert torch.allclose(outs[1], t1, atol=1e-5)
    assert torch.allclose(outs[0], t0, atol=1e-5)
    assert torch.allclose(outs[2], X[2], atol=1e-6)


@pytest.mark.parametrize(
    'fusion', ['concat', 'add', 'fpn', 'gated_fpn', 'gff', 'official'])
def test_fusion_shapes_and_gradients_odd_input(fusion):
    # a 97x129 image through a stride-4/8/8/8 backbone
    sizes = [(25, 33), (13, 17), (13, 17), (13, 17)]
    channels = (6, 7, 8, 9)
    if fusion == 'official':
        neck = GFFOfficialNeck(list(channels), out_channels=4)
    else:
        neck = GFFNeck(list(channels), out_channels=4, fusion=fusion)
    neck.train()
    inputs = [x.requires_grad_() for x in make_inputs(2, 1, sizes, channels)]
    outs = neck(inputs)
    if fusion in ('concat', 'add'):
        assert len(outs) == 1
        assert outs[0].shape == (2, neck.out_channels[0], 25, 33)
    else:
        expected = [(2, 4) + s for s in sizes]
        if fusion == 'official':
            expected.append((2, 4) + sizes[-1])
        assert [tuple(o.shape) for o in outs] == expected
    sum((o * torch.randn_like(o)).sum() for o in outs).backward()
    for name, p in neck.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    assert all(x.grad.abs().sum() > 0 for x in inputs)


def test_wide_gates():
    neck = GFFNeck([3, 4], out_channels=4,
                   gate_cfg=dict(gate_channels=4)).eval()
    seen, _ = record_gates(neck)
    outs = neck(make_inputs(1, 0, SIZES[:2], (3, 4)))
    assert seen[0].shape == (1, 4, 9, 11)
    assert outs[0].shape == (1, 4, 9, 11)


def test_bad_input():
    neck = GFFNeck([3, 4, 5], out_channels=2)
    with pytest.raises(ValueError, match='GFFNeck expects 3 levels'):
        neck(make_inputs()[:2])
    bad = make_inputs()
    bad[1] = torch.randn(2, 7, 5, 6)
    with pytest.raises(ValueError, match='level 1: expected B x 4'):
        neck(bad)
    with pytest.raises(ValueError, match='fusion must be one of'):
        GFFNeck([3, 4], fusion='sum')
    with pytest.raises(ValueError, match='gate_channels'):
        GFFNeck([3, 4], out_channels=8, gate_cfg=dict(gate_channels=3))
    with pytest.raises(ValueError, match='at least 2 levels'):
        GFFNeck([3])
    with pytest.raises(ValueError, match='GFFOfficialNeck level 0'):
        GFFOfficialNeck([5, 4], out_channels=2)(make_inputs()[1:])
    # the authors' options are no paper-neck arguments any more
    with pytest.raises(TypeError):
        GFFNeck([3, 4], order='sequential')
