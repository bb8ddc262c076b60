"""RMILoss (hierarchical multi-scale attention's primary loss)."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import REPO_ROOT
from mmseg.registry import MODELS

import mmseg_gated  # noqa: F401
from mmseg_gated.models.losses import RMILoss

RMI_CASES = ('2x19x64x96', '2x19x67x93', '1x5x33x45')


def reference_file(name):
    """A file of the oracle (``$MMSEG_GATED_REFERENCE`` or
    ``../shared/reference``), or skip."""
    root = os.environ.get('MMSEG_GATED_REFERENCE',
                          osp.join(REPO_ROOT, '..', 'shared', 'reference'))
    path = osp.join(root, name)
    if not osp.isfile(path):
        pytest.skip(f'oracle file {name} not found under {root} (set '
                    'MMSEG_GATED_REFERENCE or place the oracle at '
                    '../shared/reference)')
    return path


@pytest.fixture(scope='module')
def rmi_oracle():
    with np.load(reference_file('hmsa/rmi.npz')) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.parametrize('case', RMI_CASES)
def test_matches_authors_rmi_value_and_gradient(rmi_oracle, case):
    """The authors' RMILoss(num_classes=C) value and gradient (float64)."""
    crit = MODELS.build(
        dict(
            type='RMILoss',
            radius=3,
            pool_size=4,
            pool_stride=4,
            pool_mode='avg',
            bce_weight=0.5,
            with_rmi=True,
            loss_weight=1.0))
    logits = torch.from_numpy(rmi_oracle[f'logits_{case}']).requires_grad_()
    labels = torch.from_numpy(rmi_oracle[f'labels_{case}'])
    want = float(rmi_oracle[f'value_{case}'])
    want_grad = torch.from_numpy(rmi_oracle[f'grad_{case}'])
    loss = crit(logits, labels, ignore_index=255)
    assert loss.dtype == torch.float64
    assert abs(loss.item() - want) <= 1e-6 * abs(want), (loss.item(), want)
    loss.backward()
    err = (logits.grad - want_grad).abs().max() / want_grad.abs().max()
    assert err <= 1e-6, err.item()
    # the class sum matters: the old class mean is far from the oracle
    bce = RMILoss(with_rmi=False)(logits.detach(), labels).item()
    rmi = (loss.item() - 0.5 * bce) / 0.5
    class_mean = 0.5 * bce + 0.5 * rmi / logits.size(1)
    assert abs(class_mean - want) > 0.1 * abs(want)


def direct_rmi(logits,
               label,
               radius=3,
               pool=4,
               stride=4,
               lam=0.5,
               ignore=255,
               eps=5e-4):
    """Loop-and-numpy float64 version of the authors' formula (RMI: mean
    over images, sum over classes)."""
    logits = logits.double()
    b, c, h, w = logits.shape
    valid = (label != ignore) & (label < c)
    onehot = np.zeros((b, c, h, w))
    for i in range(b):
        for y in range(h):
            for x in range(w):
                if valid[i, y, x]:
                    onehot[i, int(label[i, y, x]), y, x] = 1.0
    mask = valid.double().numpy()[:, None]
    probs = torch.sigmoid(logits).numpy() * mask + 1e-6
    # BCE summed over classes, / (valid + 1)
    z = logits.numpy()
    bce = (np.maximum(z, 0) - z * onehot + np.log1p(np.exp(-np.abs(z))))
    bce = (bce * mask).sum() / (valid.sum().item() + 1.0)

    def pool2d(a):
        t = torch.from_numpy(a)
        return F.avg_pool2d(t, pool, stride, pool // 2).numpy()

    la, pr = pool2d(onehot), pool2d(probs)
    d = radius * radius
    ph, pw = la.shape[2:]
    total = []
    for i in range(b):
        per_class = []
        for k in range(c):
            vy, vp = [], []
            for y in range(ph - radius + 1):
                for x in range(pw - radius + 1):
                    vy.append(la[i, k, y:y + radius, x:x + radius].ravel())
                    vp.append(pr[i, k, y:y + radius, x:x + radius].ravel())
            vy, vp = np.array(vy).T, np.array(vp).T  # d x L
            vy = vy - vy.mean(1, keepdims=True)
            vp = vp - vp.mean(1, keepdims=True)
            sy, sp, syp = vy @ vy.T, vp @ vp.T, vy @ vp.T
            m = sy - syp @ np.linalg.inv(sp + eps * np.eye(d)) @ syp.T
            chol = np.linalg.cholesky(m + eps * np.eye(d))
            logdet = 2 * np.log(np.diag(chol) + 1e-8).sum()
            per_class.append(0.5 * logdet / d)
        total.append(per_class)
    rmi = np.mean(np.array(total), axis=0).sum()
    return lam * bce + (1 - lam) * rmi, bce, rmi


def test_matches_direct_float64():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 3, 22, 26, generator=g) * 2
    label = torch.randint(0, 3, (2, 22, 26), generator=g)
    label[:, :3, :5] = 255
    label[0, 10:12, 4:8] = 7  # out of range -> ignored too
    loss = RMILoss()(logits, label)
    want, bce, rmi = direct_rmi(logits, label)
    assert abs(loss.item() - want) < 1e-5 * max(1, abs(want))
    assert rmi != 0 and bce > 0
    # BCE only / weights
    torch.testing.assert_close(
        RMILoss(with_rmi=False, loss_weight=2.0)(logits, label),
        torch.tensor(2 * bce, dtype=torch.float32))
    want_l, _, _ = direct_rmi(logits, label, lam=0.2)
    assert abs(RMILoss(bce_weight=0.2)(logits, label).item() - want_l) < 1e-5


def test_better_prediction_lower_loss_and_gradient():
    g = torch.Generator().manual_seed(1)
    label = torch.randint(0, 4, (1, 32, 32), generator=g)
    label[:, :16] = 0
    good = F.one_hot(label, 4).permute(0, 3, 1, 2).float() * 8 - 4
    bad = torch.randn(1, 4, 32, 32, generator=g)
    crit = RMILoss()
    assert crit(good, label) < crit(bad, label)
    bad.requires_grad_(True)
    crit(bad, label).backward()
    assert bad.grad is not None and torch.isfinite(bad.grad).all()
    assert bad.grad.abs().sum() > 0


@pytest.mark.parametrize(
    'case', ['all_ignore', 'one_class', 'tiny', 'odd', 'saturated'])
def test_finite_on_degenerate_inputs(case):
    g = torch.Generator().manual_seed(2)
    shape = dict(
        tiny=(2, 5, 3, 4), odd=(1, 5, 17, 9)).get(case, (2, 5, 24, 24))
    logits = torch.randn(*shape, generator=g)
    label = torch.randint(0, 5, (shape[0], ) + shape[2:], generator=g)
    if case == 'all_ignore':
        label[:] = 255
    elif case == 'one_class':
        label[:] = 2
    elif case == 'saturated':
        logits = F.one_hot(label, 5).permute(0, 3, 1, 2).float() * 60 - 30
    logits.requires_grad_(True)
    loss = RMILoss()(logits, label)
    assert torch.isfinite(loss), case
    loss.backward()
    assert torch.isfinite(logits.grad).all(), case
    if case == 'all_ignore':
        assert loss.item() == 0.0
        assert torch.count_nonzero(logits.grad) == 0


def test_all_ignore_batch_is_exactly_zero():
    """No valid pixel: 0 (not the ridge's constant log det), for the RMI and
    the BCE-only variant, with any ignore convention."""
    logits = torch.randn(2, 19, 40, 40, requires_grad=True)
    for label, kw in ((torch.full((2, 40, 40), 255), {}), (torch.full(
        (2, 40, 40), -1), dict(ignore_index=-1)), (torch.full((2, 40, 40),
                                                              19), {})):
        for crit in (RMILoss(), RMILoss(with_rmi=False, loss_weight=0.4)):
            logits.grad = None
            loss = crit(logits, label, **kw)
            assert loss.item() == 0.0
            loss.backward()
            assert torch.isfinite(logits.grad).all()
            assert torch.count_nonzero(logits.grad) == 0


def test_half_precision_input_and_builds_as_mmseg_loss():
    crit = MODELS.build(dict(type='RMILoss', loss_weight=0.5))
    assert crit.loss_name == 'loss_rmi'
    logits = torch.randn(1, 3, 16, 16).half()
    label = torch.randint(0, 3, (1, 16, 16))
    out = crit(logits, label, weight=None, ignore_index=255)
    assert out.dtype == torch.float32 and torch.isfinite(out)
    with pytest.raises(ValueError, match='label shape'):
        crit(torch.randn(1, 3, 16, 16), torch.zeros(1, 8, 8).long())
    for mode in ('max', 'nearest', 'median'):
        with pytest.raises(ValueError, match='pool_mode'):
            RMILoss(pool_mode=mode)
    with pytest.raises(ValueError, match='loss_name'):
        RMILoss(loss_name='rmi')


def test_log_det_retries_a_larger_ridge():
    from mmseg_gated.models.losses.rmi_loss import _log_det_cholesky
    good = torch.eye(3, dtype=torch.float64) * 2
    bad = -torch.eye(3, dtype=torch.float64)  # not PD even with the ridge
    mats = torch.stack([good, bad]).requires_grad_(True)
    out = _log_det_cholesky(mats, 5e-4)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(
        out[0], torch.logdet(good + 5e-4 * torch.eye(3).double()))
    out.sum().backward()
    assert torch.isfinite(mats.grad).all()
