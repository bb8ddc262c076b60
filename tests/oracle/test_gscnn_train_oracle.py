"""Gated-SCNN training losses against the authors' code
(``../shared/reference/gscnn/train.npz``, see ``TRAIN.md`` there).

Seed 0: the authors' weights are converted by
``tools/model_converters/gscnn_official.py`` and loaded strictly into the
model of the Table config the converter names (SyncBN -> BN, no pretrained
weights, float64, train mode with the trunk's Dropout2d in eval mode); the
authors' Gumbel uniforms are injected through ``torch.rand_like``;
``model.loss`` on their batch gives every loss term, the total, the
gradients of the head's outputs and of every parameter (mapped back to
their tensors through the converter's Jacobian), all compared with what
their code computed.

Any seed: the same model with regenerated weights (seed 1) and uniforms of
our own is checked against an independent float64 re-computation of the
authors' loss definitions (written here from ``TRAIN.md``, on numpy class
histograms and torch's ``nll_loss``) applied to our model's outputs: the
terms, the total, the head-output gradients and every parameter gradient.
The same re-computation is checked against their arrays at seed 0.
"""
import os.path as osp
from unittest import mock

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from helpers import (REPO_ROOT, authors_weights, float64_model, load_module,
                     reference_dir)
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmseg_gated  # noqa: F401
from mmseg_gated.datasets.transforms.one_hot_edge_map import one_hot_edge_map

CONVERTER = osp.join(REPO_ROOT, 'tools', 'model_converters',
                     'gscnn_official.py')
SIZES = ('96x128', '97x129')
TOL = 1e-6
OTHER_SEED = 1
# ours <-> their keys of the loss dict (TRAIN.md, "How a test should use it")
TERMS = {
    'decode.loss_ce': 'seg_loss',
    'decode.loss_edge': 'edge_loss',
    'decode.loss_dual_consistency': 'att_loss',
    'decode.loss_dual_boundary': 'dual_loss',
}
pytestmark = pytest.mark.filterwarnings(
    'ignore:When align_corners=True:UserWarning')


def rel(got, want):
    """|ours - theirs| / |theirs| (scalars), max-abs ratio (tensors)."""
    got, want = torch.as_tensor(got), torch.as_tensor(want)
    return ((got - want).abs().max() / want.abs().max()).item()


class Oracle:
    """The converted model, the converter and the oracle's arrays; weights
    of any seed are (re)loaded into the one model."""

    def __init__(self, root):
        self.root = root
        self.converter = load_module('gscnn_official', CONVERTER)
        self.model = float64_model(self.converter.CONFIG)
        self.seed = self.state_dict = None
        with np.load(osp.join(root, 'gscnn', 'train.npz')) as data:
            self.arrays = {
                k: data[k] if k == 'param_names' else torch.from_numpy(data[k])
                for k in data.files
            }

    def theirs(self, seed):
        """Their state dict (``module.`` keys) for ``seed``."""
        return authors_weights('gscnn', seed)

    def load(self, seed):
        """Our model with their ``seed`` weights converted; their state
        dict stays in ``self.state_dict`` (for the Jacobian below)."""
        if self.seed != seed:
            self.state_dict = None  # free the previous seed's first
            self.state_dict = self.theirs(seed)
            state = self.converter.convert({'state_dict': self.state_dict})
            self.model.load_state_dict(state, strict=True)
            self.seed = seed
        return self.model


@pytest.fixture(scope='module')
def oracle():
    root = reference_dir('gscnn')
    if not osp.isfile(osp.join(root, 'gscnn', 'train.npz')):
        pytest.skip(f'{root}/gscnn/train.npz not found')
    init_default_scope('mmseg')
    return Oracle(root)


def data_samples(labels, edge_gt):
    samples = []
    for lab, edge in zip(labels, edge_gt):
        h, w = lab.shape
        s = SegDataSample(
            metainfo=dict(
                img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w)))
        s.gt_sem_seg = PixelData(data=lab[None].long())
        s.gt_edge_map = PixelData(data=edge.long())
        samples.append(s)
    return samples


def run_loss(model, x, labels, edge_gt, u):
    """``model.loss`` in train mode with ``u`` as the Gumbel uniforms.

    Returns the loss dict, the parsed total and the tensors the head made:
    ``seg_low`` (conv_seg output), ``edge`` (edge logits), ``seg_up`` (the
    upsampled logits the losses receive), all retaining their gradients.
    """
    model.train()
    for m in model.modules():
        if isinstance(m, nn.Dropout2d):
            m.eval()
    head = model.decode_head
    seen = {}
    forward, upsample = head.forward, head.upsample_logits

    def record_forward(*args, **kwargs):
        seg_low, edge = forward(*args, **kwargs)
        seg_low.retain_grad()
        edge.retain_grad()
        seen.update(seg_low=seg_low, edge=edge)
        return seg_low, edge

    def record_upsample(*args, **kwargs):
        out = upsample(*args, **kwargs)
        out.retain_grad()
        seen['seg_up'] = out
        return out

    drawn = []

    def rand_like(t, *args, **kwargs):
        drawn.append(tuple(t.shape))
        return u.reshape(t.shape).clone().to(t)

    head.forward, head.upsample_logits = record_forward, record_upsample
    try:
        with mock.patch('torch.rand_like', rand_like):
            losses = model.loss(x, data_samples(labels, edge_gt))
    finally:
        del head.forward, head.upsample_logits
    assert len(drawn) == 1, drawn  # one Gumbel draw per step, as theirs
    total, _ = model.parse_losses(losses)
    return losses, total, seen


def image_weighted_nll(logits, labels, upper_bound=1.0, num_classes=19):
    """Their ImageBasedCrossEntropyLoss2d from TRAIN.md: per image, numpy
    histogram weights, torch's weighted NLL mean, summed over images."""
    loss = 0.
    for i in range(logits.size(0)):
        lab = labels[i].numpy().ravel()
        hist = np.histogram(lab, range(num_classes + 1), density=True)[0]
        w = (hist != 0) * upper_bound * (1 - hist) + 1
        loss = loss + F.nll_loss(
            F.log_softmax(logits[i:i + 1], dim=1),
            labels[i:i + 1],
            weight=torch.from_numpy(w).to(logits),
            ignore_index=255)
    return loss


def authors_losses(seg_up, edge_logits, labels, edge_gt, u):
    """The authors' four terms (TRAIN.md, "Their training loss"),
    re-computed on our outputs: ``seg_up`` N x 19 x H x W logits,
    ``edge_logits`` N x 1 x H x W (before the sigmoid)."""
    n, c, h, w = seg_up.shape
    edge_out = torch.sigmoid(edge_logits)
    seg = image_weighted_nll(seg_up, labels)
    # bce2d: BCE-with-logits on the sigmoid output, batch-balanced weights,
    # mean over all N*H*W pixels
    t = edge_gt.numpy()
    pos, neg = (t == 1).sum(), (t == 0).sum()
    wt = np.where(t == 1, neg / (pos + neg),
                  np.where(t == 0, pos / (pos + neg), 0.))
    edge = 20 * F.binary_cross_entropy_with_logits(
        edge_out, edge_gt.to(edge_out),
        torch.from_numpy(wt).to(edge_out))
    masked = torch.where(edge_out.detach().max(1)[0] > 0.8, labels,
                         torch.full_like(labels, 255))
    att = image_weighted_nll(seg_up, masked)
    ignore = labels == 255
    logits = torch.where(ignore[:, None], torch.zeros_like(seg_up), seg_up)
    gumbel = -torch.log(1e-10 - torch.log(u.reshape(n, c, h, w) + 1e-10))
    g = torch.softmax((logits + gumbel) / 0.5, dim=1)
    gt = torch.eye(
        c, dtype=g.dtype)[torch.where(ignore, 0, labels)].permute(0, 3, 1, 2)

    def m(x):
        mag = torch.sqrt(2 * x * x + 1e-6)
        return mag / mag.max()

    mg, mgt = m(g), m(gt)
    err = (mg - mgt).abs()
    dual = 0.
    for mm in (mg, mgt):
        keep = (mm >= 1e-8).detach().to(err)
        dual = dual + 0.5 * (err * keep).sum() / (keep.sum() + 1e-10)
    return dict(seg_loss=seg, edge_loss=edge, att_loss=att, dual_loss=dual)


def check_against_recomputation(model, x, labels, edge_gt, u):
    """Our loss, head-output and parameter gradients vs. the independent
    re-computation on our own outputs; returns the relative differences and
    what ``run_loss`` gave."""
    losses, total, seen = run_loss(model, x, labels, edge_gt, u)
    params = [(k, p) for k, p in model.named_parameters() if p.requires_grad]
    ours = torch.autograd.grad(
        total, [seen['seg_low'], seen['edge']] + [p for _, p in params],
        retain_graph=True,
        allow_unused=True)
    s = seen['seg_up'].detach().requires_grad_()
    e = seen['edge'].detach().requires_grad_()
    want = authors_losses(s, e, labels, edge_gt, u)
    want_total = sum(want.values())
    gs, ge = torch.autograd.grad(want_total, [s, e])
    # the chain rule from the re-computation's gradients at the losses'
    # inputs through our network (the edge logits also reach the
    # segmentation through the ASPP)
    pairing = (seen['seg_up'] * gs).sum() + (seen['edge'] * ge).sum()
    theirs = torch.autograd.grad(
        pairing, [seen['seg_low'], seen['edge']] + [p for _, p in params],
        allow_unused=True)
    diffs = {
        ours_key: rel(losses[ours_key], want[key])
        for ours_key, key in TERMS.items()
    }
    diffs['total'] = rel(total, want_total)
    diffs['grad_seg_low'] = rel(ours[0], theirs[0])
    diffs['grad_edge_logit'] = rel(ours[1], theirs[1])
    norms_ours = torch.stack([
        g.norm() if g is not None else torch.zeros((), dtype=torch.float64)
        for g in ours[2:]
    ])
    norms_theirs = torch.stack([
        g.norm() if g is not None else torch.zeros((), dtype=torch.float64)
        for g in theirs[2:]
    ])
    # parameters whose gradient is 0 in exact arithmetic (a bias feeding a
    # train-mode BatchNorm) are compared absolutely below
    tiny = 1e-12 * norms_theirs.max()
    big = norms_theirs > tiny
    diffs['param_grad_norm'] = ((norms_ours[big] - norms_theirs[big]).abs() /
                                norms_theirs[big]).max().item()
    assert (norms_ours[~big] <= tiny).all()
    return diffs, losses, total, seen


def batch(oracle, size):
    a = oracle.arrays
    return (a[f'x_{size}'], a[f'labels_{size}'].long(),
            a[f'edge_gt_{size}'].long(), a[f'U_{size}'])


@pytest.mark.parametrize('size', SIZES)
def test_seed0_matches_the_authors_training_step(oracle, size):
    model = oracle.load(0)
    a = oracle.arrays
    x, labels, edge_gt, u = batch(oracle, size)
    model.zero_grad(set_to_none=True)
    losses, total, seen = run_loss(model, x, labels, edge_gt, u)
    total.backward()
    errs = {k: rel(losses[k], a[f'{v}_{size}']) for k, v in TERMS.items()}
    errs['total'] = rel(total, a[f'total_{size}'])
    errs['grad_seg_low'] = rel(seen['seg_low'].grad, a[f'grad_seg_low_{size}'])
    errs['grad_edge_logit'] = rel(seen['edge'].grad,
                                  a[f'grad_edge_logit_{size}'])
    up = seen['seg_up'].grad
    errs['grad_seg_norm'] = rel(
        up.flatten(2).norm(dim=2), a[f'grad_seg_norm_{size}'])
    errs['grad_seg_sum'] = rel(
        up.flatten(2).sum(dim=2), a[f'grad_seg_sum_{size}'])

    # our parameter gradients mapped to their tensors: the converter is
    # linear, so theirs = J^T ours (backpropagate through convert)
    theirs_sd = {
        k: v.requires_grad_() if v.is_floating_point() else v
        for k, v in oracle.state_dict.items()
    }
    converted = oracle.converter.convert({'state_dict': theirs_sd})
    grads = dict(model.named_parameters())
    pairing = sum(
        (grads[k].grad * v).sum() for k, v in converted.items()
        if k in grads and v.requires_grad and grads[k].grad is not None)
    names = list(a['param_names'])
    mapped = torch.autograd.grad(
        pairing, [theirs_sd[n] for n in names], allow_unused=True)
    norms = torch.stack([
        g.norm() if g is not None else torch.zeros((), dtype=torch.float64)
        for g in mapped
    ])
    want = a[f'param_grad_norm_{size}']
    zero = [
        n.endswith(k) for n in names
        for k in ('dsn3.bias', 'dsn4.bias', 'dsn7.bias', '_gate_conv.3.bias')
    ]
    zero = torch.tensor(zero).view(len(names), -1).any(1)
    unused = torch.tensor([n.startswith('module.dsn1.') for n in names])
    bound = 1e-12 * want.max()
    assert (norms[zero] <= bound).all() and (want[zero] <= bound).all()
    assert (norms[unused] == 0).all() and (want[unused] == 0).all()
    keep = ~(zero | unused)
    errs['param_grad_norm'] = ((norms[keep] - want[keep]).abs() /
                               want[keep]).max().item()
    for name in ('final_seg.6.weight', 'cw.weight', 'fuse.weight',
                 'aspp.edge_conv.0.weight', 'dsn3.weight', 'gate3.weight',
                 'gate3._gate_conv.3.weight', 'final_seg.4.weight',
                 'final_seg.4.bias'):
        g = mapped[names.index('module.' + name)]
        errs[f'grad_{name}'] = rel(g, a[f'grad_{name}_{size}'])
    print(f'\nGSCNN train oracle seed 0 {size}: ' +
          ', '.join(f'{k} {v:.1e}' for k, v in errs.items()))
    assert max(errs.values()) <= TOL, errs

    # the independent re-computation used for other seeds agrees with
    # their code here
    model.zero_grad(set_to_none=True)
    recomputed = authors_losses(seen['seg_up'].detach(), seen['edge'].detach(),
                                labels, edge_gt, u)
    for k, v in TERMS.items():
        assert rel(recomputed[v], a[f'{v}_{size}']) <= TOL


# other sizes, cut from the 97x129 batch (rows, columns): odd and even,
# each with objects, road, the ignored band and confident edges
CROPS = {
    '49x65': (slice(48, 97), slice(32, 97)),
    '32x48': (slice(65, 97), slice(0, 48))
}


@pytest.mark.parametrize('size', sorted(CROPS))
def test_other_seed_matches_the_authors_loss_definition(oracle, size):
    """Seed-1 weights, other sizes, our own uniforms and input noise; the
    edge ground truth of the cut labels from ``GenerateOneHotEdgeMap``'s
    function (checked against their loader's in test_gscnn_train_parts)."""
    model = oracle.load(OTHER_SEED)
    x, labels, _, _ = batch(oracle, '97x129')
    rows, cols = CROPS[size]
    x, labels = x[..., rows, cols], labels[..., rows, cols]
    edge_gt = torch.stack([
        torch.from_numpy(one_hot_edge_map(lab.numpy()))[None].long()
        for lab in labels
    ])
    gen = torch.Generator().manual_seed(OTHER_SEED)
    n, _, h, w = x.shape
    u = (torch.randint(0, 256,
                       (n, 19, h * w), generator=gen).double() + 0.5) / 256
    x = x + 0.1 * torch.randn(x.shape, generator=gen, dtype=x.dtype)
    diffs, losses, _, _ = check_against_recomputation(model, x, labels,
                                                      edge_gt, u)
    print(f'\nGSCNN train re-computation seed {OTHER_SEED} {size}: ' +
          ', '.join(f'{k} {v:.1e}' for k, v in diffs.items()))
    assert max(diffs.values()) <= TOL, diffs
    # not a degenerate case: every term contributes
    assert all(losses[k].item() > 0 for k in TERMS)
    assert (labels == 255).any() and edge_gt.any()
