"""GSTO-PPM / GSTO-ASPP heads and the auxiliary head of GSTO-HRNet."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.models.decode_heads import (ASPPHead, DepthwiseSeparableASPPHead,
                                       PSPHead)
from mmseg.structures import SegDataSample

from mmseg_gated.models.decode_heads import (GSTOASPPHead, GSTOAuxHead,
                                             GSTOPSPHead, GSTOSepASPPHead)
from mmseg_gated.models.layers import GatedScaleTransfer, SpatialGate

BN = dict(type='BN')
# mmseg warns about its default avg_non_ignore=False at every build
LOSS = dict(type='CrossEntropyLoss', avg_non_ignore=True)


def open_gates(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, SpatialGate):
                m.conv.conv.weight.zero_()
                m.conv.conv.bias.fill_(100.)


def load_wrapped(ours, ref):
    """Load mmseg weights into a GSTO head (branches sit under .transfer)."""
    sd = {}
    own = ours.state_dict()
    for k, v in ref.state_dict().items():
        parts = k.split('.')
        cands = [k] + [
            '.'.join(parts[:i] + ['transfer'] + parts[i:])
            for i in range(1, len(parts))
        ]
        hit = [c for c in cands if c in own]
        assert hit, k
        sd[hit[0]] = v
    missing, unexpected = ours.load_state_dict(sd, strict=False)
    assert not unexpected and all('gate' in k for k in missing), missing


CASES = [
    (PSPHead, GSTOPSPHead, dict(pool_scales=(1, 2, 3))),
    (ASPPHead, GSTOASPPHead, dict(dilations=(1, 2, 3))),
    (DepthwiseSeparableASPPHead, GSTOSepASPPHead,
     dict(dilations=(1, 2, 3), c1_in_channels=4, c1_channels=4, in_index=1)),
]


@pytest.mark.parametrize('ref_cls,cls,extra', CASES)
def test_open_gates_equal_mmseg_head(ref_cls, cls, extra):
    torch.manual_seed(0)
    kw = dict(
        in_channels=8,
        channels=6,
        num_classes=3,
        norm_cfg=BN,
        loss_decode=LOSS,
        **extra)
    ref, ours = ref_cls(**kw), cls(**kw)
    ref.init_weights()
    load_wrapped(ours, ref)
    open_gates(ours)
    ref.eval()
    ours.eval()
    feats = [torch.randn(2, 4, 20, 18), torch.randn(2, 8, 10, 9)]
    with torch.no_grad():
        torch.testing.assert_close(ours(feats), ref(feats))
    n_gst = sum(isinstance(m, GatedScaleTransfer) for m in ours.modules())
    assert n_gst == 3  # 3 pool branches / image pool + 2 atrous branches


def test_psp_branch_is_gated_down_and_up():
    torch.manual_seed(0)
    head = GSTOPSPHead(
        in_channels=8,
        channels=6,
        num_classes=3,
        loss_decode=LOSS,
        pool_scales=(2, ),
        norm_cfg=BN)
    head.eval()
    x = torch.randn(1, 8, 8, 8)
    br = head.psp_modules[0]
    with torch.no_grad():
        z = br.transfer(br.in_gate(x) * x)  # pool(g_in * x), conv
        up = F.interpolate(
            br.out_gate(z) * z,
            size=(8, 8),
            mode='bilinear',
            align_corners=False)
        torch.testing.assert_close(head.psp_modules(x)[0], up)


def test_heads_train_and_reach_gates():
    torch.manual_seed(0)
    for cls, extra in [(GSTOPSPHead, {}), (GSTOASPPHead, {})]:
        head = cls(
            in_channels=8,
            channels=6,
            num_classes=3,
            norm_cfg=BN,
            loss_decode=LOSS,
            **extra)
        out = head([torch.randn(2, 8, 9, 7)])
        assert out.shape == (2, 3, 9, 7)
        out.sum().backward()
        for n, p in head.named_parameters():
            if 'gate' in n:
                assert p.grad is not None, n


def _samples(label):
    out = []
    for lab in label:
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=lab[None])
        out.append(s)
    return out


def test_aux_head_loss_is_ce_on_resized_logits():
    torch.manual_seed(0)
    head = GSTOAuxHead(
        num_classes=4,
        in_index=1,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=0.3, avg_non_ignore=True))
    assert not list(head.parameters())
    logits = torch.randn(2, 4, 8, 8, requires_grad=True)
    label = torch.randint(0, 4, (2, 16, 16))
    label[:, :2] = 255
    losses = head.loss([torch.randn(2, 3, 8, 8), logits], _samples(label),
                       None)
    up = F.interpolate(
        logits, size=(16, 16), mode='bilinear', align_corners=False)
    expected = 0.3 * F.cross_entropy(up, label, ignore_index=255)
    torch.testing.assert_close(losses['loss_ce'], expected)
    losses['loss_ce'].backward()
    assert logits.grad.abs().sum() > 0
    # all-ignore batch stays finite
    losses = head.loss([None, logits], _samples(torch.full_like(label, 255)),
                       None)
    assert torch.isfinite(losses['loss_ce'])


def test_aux_head_errors():
    head = GSTOAuxHead(num_classes=4, in_index=0, loss_decode=LOSS)
    with pytest.raises(ValueError, match='B x 4 x H x W'):
        head([torch.randn(1, 5, 4, 4)])
    with pytest.raises(TypeError, match='in_index'):
        GSTOAuxHead(num_classes=4, in_index=(0, 1))
