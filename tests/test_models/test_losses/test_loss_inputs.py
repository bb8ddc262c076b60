"""The dual-task losses check their inputs the same way: shape and label
errors name the loss; an all-ignored batch gives a finite loss."""
import pytest
import torch
from mmseg.registry import MODELS

import mmseg_gated  # noqa: F401

LOSSES = ['DualTaskBoundaryLoss', 'DualTaskProbabilityL1Loss']


@pytest.mark.parametrize('name', LOSSES)
def test_bad_inputs_name_the_loss(name):
    loss = MODELS.build(dict(type=name))
    logits = torch.zeros(2, 3, 8, 8)
    with pytest.raises(ValueError, match=f'{name}: seg_label values'):
        loss(logits, torch.full((2, 8, 8), 3), ignore_index=255)
    with pytest.raises(ValueError, match=f'{name}: seg_logits .* matching'):
        loss(logits, torch.zeros(2, 7, 8, dtype=torch.long))


@pytest.mark.parametrize('name', LOSSES)
def test_all_ignored_is_finite(name):
    loss = MODELS.build(dict(type=name))
    logits = torch.randn(2, 3, 8, 8, requires_grad=True)
    value = loss(logits, torch.full((2, 1, 8, 8), 254), ignore_index=254)
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(logits.grad).all()
