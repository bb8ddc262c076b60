"""GSTO-HRNet: drop-in for mmseg's HRNet; gates forced to 1 give HRNet.
The resize-once fuse (official HRNet code) shared by GSTO and HMSA."""
import copy

import pytest
import torch
import torch.nn.functional as F
from helpers import hrnet_extra
from mmseg.models.backbones import HRNet
from mmseg.models.backbones.hrnet import HRModule
from mmseg.models.backbones.resnet import BasicBlock

from mmseg_gated.models.backbones import (GSTOHRModule, GSTOHRNet,
                                          GSTOOfficialHRNet, ResizeOnceHRNet)
from mmseg_gated.models.backbones.resize_once_hrnet import resize_fuse_once
from mmseg_gated.models.layers import SpatialGate, SupervisedGate

# HRNetV2-W18 widths (mmseg's fcn_hr18), fewer blocks/modules to stay fast.
W18 = hrnet_extra((18, 36, 72, 144), stem=64, modules=(1, 2, 2))


def force_gates_open(model):
    """Make every gate output exactly 1 (sigmoid(100) == 1 in float32)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, SpatialGate):
                cm = m.conv
                cm.conv.weight.zero_()
                if cm.conv.bias is not None:
                    cm.conv.bias.fill_(100.)
                if cm.with_norm:
                    cm.norm.weight.zero_()
                    cm.norm.bias.fill_(100.)


def randomize_bn(model):
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g))
                var = torch.rand(m.num_features, generator=g) + .5
                m.running_var.copy_(var)


def init_hrnet(net):
    """Kaiming convs (HRNet's init) and random BN statistics, quietly."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(m.weight)
    randomize_bn(net)


def pair(cls=GSTOHRNet, ref_cls=HRNet, **kwargs):
    torch.manual_seed(0)
    ref = ref_cls(copy.deepcopy(W18))
    init_hrnet(ref)
    ours = cls(copy.deepcopy(W18), **kwargs)
    missing, unexpected = ours.load_state_dict(ref.state_dict(), strict=False)
    assert not unexpected
    # only the new gate parameters are missing: every HRNet key is shared
    assert all('gate' in k for k in missing), missing
    force_gates_open(ours)
    ref.eval()  # HRNet.train() returns None, so no chaining
    ours.eval()
    return ref, ours


@pytest.mark.parametrize('cls,ref_cls,kwargs', [
    (GSTOHRNet, HRNet, dict()),
    (GSTOHRNet, HRNet, dict(num_classes=5)),
    (GSTOOfficialHRNet, ResizeOnceHRNet, dict()),
    (GSTOOfficialHRNet, ResizeOnceHRNet, dict(num_classes=5)),
    (GSTOHRNet, ResizeOnceHRNet, dict(resize_once=True)),
])
@pytest.mark.parametrize('size', [(64, 64), (65, 47)])
def test_gates_open_reproduce_hrnet(cls, ref_cls, kwargs, size):
    """By default the fuse is mmseg's (HRNet's outputs at every size);
    the authors' layout fuses as the official HRNet code."""
    ref, ours = pair(cls, ref_cls, **kwargs)
    x = torch.randn(2, 3, *size)
    with torch.no_grad():
        r, o = ref(x), ours(x)
    assert len(o) == 4 + (2 if 'num_classes' in kwargs else 0)
    for a, b in zip(r, o[:4]):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_resize_once_hrnet_equals_mmseg_at_multiples_of_32():
    ref, ours = pair(ResizeOnceHRNet, HRNet)
    missing = [k for k in ref.state_dict() if k not in ours.state_dict()]
    assert not missing  # same keys: the Upsample has no weights
    with torch.no_grad():
        x = torch.randn(1, 3, 64, 96)
        assert all(torch.equal(a, b) for a, b in zip(ref(x), ours(x)))
        x = torch.randn(1, 3, 65, 47)  # 17x12 at 1/4, 9x6 at 1/8 ...
        diff = max((a - b).abs().max() for a, b in zip(ref(x), ours(x)))
    assert diff > 1e-3


def test_resize_once_fuse_is_one_bilinear_resize():
    """Independent computation of the fuse of branch j into branch i:
    conv1x1 + BN of x_j, one bilinear resize to x_i's size."""
    torch.manual_seed(0)
    args = (3, BasicBlock, (1, 1, 1), [4, 8, 16], (4, 8, 16))
    m = HRModule(*copy.deepcopy(args))
    randomize_bn(m)
    m.eval()
    resize_fuse_once([m])
    x = [
        torch.randn(1, 4, 15, 13),
        torch.randn(1, 8, 8, 7),
        torch.randn(1, 16, 4, 4)
    ]
    with torch.no_grad():
        b = [m.branches[k](x[k].clone()) for k in range(3)]
        out = m([t.clone() for t in x])
        for i in range(3):
            y = b[i]
            for j in range(3):
                if j > i:
                    path = m.fuse_layers[i][j]
                    assert len(path) == 2  # conv, BN: no Upsample left
                    y = y + F.interpolate(
                        path[1](path[0](b[j])),
                        size=b[i].shape[2:],
                        mode='bilinear',
                        align_corners=False)
                elif j < i:
                    y = y + m.fuse_layers[i][j](b[j])
            torch.testing.assert_close(out[i], torch.relu(y))


def test_gates_change_the_output():
    ref, ours = pair()
    torch.manual_seed(3)
    for m in ours.modules():
        if isinstance(m, SpatialGate):
            m.init_weights()
            torch.nn.init.normal_(m.conv.conv.weight)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert not torch.allclose(ref(x)[0], ours(x)[0], atol=1e-3)


def test_module_fuse_equals_hrmodule_with_open_gates():
    torch.manual_seed(0)
    args = (3, BasicBlock, (1, 1, 1), [4, 8, 16], (4, 8, 16))
    ref = HRModule(*copy.deepcopy(args))
    ours = GSTOHRModule(*copy.deepcopy(args), gate_identity=True)
    ref.eval()
    ours.eval()
    ours.load_state_dict(ref.state_dict(), strict=False)
    force_gates_open(ours)
    x = [
        torch.randn(1, 4, 16, 16),
        torch.randn(1, 8, 8, 8),
        torch.randn(1, 16, 4, 4)
    ]
    with torch.no_grad():
        for a, b in zip(ref([t.clone() for t in x]), ours(x)):
            torch.testing.assert_close(a, b)
    # one gate per fuse path; identity gated only when asked
    assert ours.gate_layers[0][0] is not None
    assert GSTOHRModule(*copy.deepcopy(args)).gate_layers[1][1] is None


def test_gate_is_applied_before_the_transfer():
    """Fuse path j -> i sees g_ij * x_j (Eq. 1), checked on one path."""
    torch.manual_seed(0)
    args = (2, BasicBlock, (1, 1), [4, 8], (4, 8))
    m = GSTOHRModule(*args)
    m.eval()
    x = [torch.randn(1, 4, 8, 8), torch.randn(1, 8, 4, 4)]
    with torch.no_grad():
        b0, b1 = m.branches[0](x[0]), m.branches[1](x[1])
        down = m.fuse_layers[1][0](m.gate_layers[1][0](b0) * b0)
        expected = torch.relu(b1 + down)
        out = m([x[0].clone(), x[1].clone()])
    torch.testing.assert_close(out[1], expected)


def test_aux_outputs_and_gradients():
    torch.manual_seed(0)
    for cls in (GSTOHRNet, GSTOOfficialHRNet):
        net = cls(copy.deepcopy(W18), num_classes=5)
        net.train()
        outs = net(torch.randn(2, 3, 65, 47))  # odd sizes
        assert [o.shape[1] for o in outs] == [18, 36, 72, 144, 5, 5]
        assert outs[0].shape[2:] == (17, 12)
        if cls is GSTOOfficialHRNet:  # stage heads at 1/4
            assert outs[4].shape[2:] == outs[5].shape[2:] == (17, 12)
        else:  # Eq. 3 on the gated (lowest) branch
            assert outs[4].shape[2:] == outs[1].shape[2:]
            assert outs[5].shape[2:] == outs[2].shape[2:]
        sum(o.mean() for o in outs).backward()
        no_grad = [n for n, p in net.named_parameters() if p.grad is None]
        assert not no_grad, no_grad


def test_official_layout_matches_authors():
    net = GSTOOfficialHRNet(copy.deepcopy(W18), num_classes=5)
    assert net.transition_gate1 is None
    g2, g3 = net.transition_gate2, net.transition_gate3
    assert isinstance(g2, SupervisedGate) and isinstance(g3, SupervisedGate)
    assert g2.in_channels == 18 + 36 and g3.in_channels == 18 + 36 + 72
    assert len(g2.downsample) == 1 and len(g3.downsample) == 2
    # every path gated, with BN + ReLU, identity included
    gate = net.stage3[0].gate_layers[1][1]
    assert gate is not None and gate.conv.with_norm
    paper = GSTOHRNet(copy.deepcopy(W18))
    assert paper.stage3[0].gate_layers[1][1] is None
    assert not paper.stage3[0].gate_layers[1][0].conv.with_norm
    assert isinstance(paper.transition_gate2, SpatialGate)


def test_errors():
    with pytest.raises(ValueError, match='num_classes'):
        GSTOHRNet(copy.deepcopy(W18), num_classes=0)


def _tiny_extra():
    return hrnet_extra((4, 8, 16, 32), stem=8)


def test_mmseg_ocr_heads_and_aux_losses():
    """mmseg's FCN + OCR cascade runs unchanged on GSTOHRNet; the stage
    predictions get their own losses through GSTOAuxHead."""
    from helpers import build_cpu_model, make_batch
    from mmengine.config import ConfigDict

    import mmseg_gated  # noqa: F401
    heads = dict(
        in_channels=[4, 8, 16, 32],
        in_index=(0, 1, 2, 3),
        channels=60,
        input_transform='resize_concat',
        norm_cfg=dict(type='BN'),
        num_classes=3,
        loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True))
    model = build_cpu_model(
        dict(
            type='CascadeEncoderDecoder',
            num_stages=2,
            data_preprocessor=dict(type='SegDataPreProcessor', size=(64, 64)),
            backbone=dict(
                type='GSTOHRNet', extra=_tiny_extra(), num_classes=3),
            decode_head=[
                dict(
                    type='FCNHead',
                    kernel_size=1,
                    num_convs=1,
                    concat_input=False,
                    dropout_ratio=-1,
                    **heads),
                dict(type='OCRHead', ocr_channels=16, **heads)
            ],
            auxiliary_head=[
                dict(
                    type='GSTOAuxHead',
                    in_index=4,
                    num_classes=3,
                    loss_decode=dict(
                        type='CrossEntropyLoss',
                        loss_weight=0.3,
                        avg_non_ignore=True)),
                dict(
                    type='GSTOAuxHead',
                    in_index=5,
                    num_classes=3,
                    loss_decode=dict(
                        type='CrossEntropyLoss',
                        loss_weight=0.5,
                        avg_non_ignore=True))
            ],
            train_cfg=ConfigDict(),
            test_cfg=ConfigDict(mode='whole')))
    data = model.data_preprocessor(make_batch(3, batch=2), True)
    losses = model(**data, mode='loss')
    assert {'aux_0.loss_ce', 'aux_1.loss_ce',
            'decode_1.loss_ce'} <= set(losses)
    loss, _ = model.parse_losses(losses)
    loss.backward()
    pred = model.backbone.transition_gate2.predictor[0].weight
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        out = model(
            **model.data_preprocessor(make_batch(3, batch=1), False),
            mode='predict')
    assert out[0].pred_sem_seg.data.shape[-2:] == (64, 64)
