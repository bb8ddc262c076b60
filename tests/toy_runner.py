"""A two-parameter model and an mmengine Runner around it, for tests of
training hooks that need real iterations but no segmentation model
(imported as ``toy_runner``)."""
import itertools

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

_names = itertools.count()


class InfGrad(torch.autograd.Function):
    """Identity forward; an infinite gradient backward (an fp16-overflow
    stand-in: the loss is finite, its gradient is not)."""

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad * float('inf')


class ToyModel(BaseModel):
    """``loss = mean((w x + b)^2)``; a sample's ``kind`` makes the loss NaN
    (``'nan'``) or its gradient infinite (``'inf_grad'``)."""

    def __init__(self, ballast=0):
        super().__init__()
        self.linear = nn.Linear(2, 1)
        # bytes in every checkpoint (a checkpoint much larger than the logs)
        self.register_buffer('ballast', torch.zeros(ballast))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(torch.stack(list(inputs)))
        if mode != 'loss':
            return out
        loss = (out**2).mean()
        kinds = list(data_samples or [])
        if 'inf_grad' in kinds:
            loss = InfGrad.apply(loss)
        if 'nan' in kinds:
            loss = loss * float('nan')
        return dict(loss=loss, aux_loss=loss.detach() * 0 + 1)


class ToyDataset(Dataset):
    """``kinds[i]`` is the kind of iteration ``i + 1`` (batch size 1)."""

    def __init__(self, kinds):
        self.kinds = list(kinds)

    def __len__(self):
        return len(self.kinds)

    def __getitem__(self, i):
        x = torch.tensor([1.0 + i, -0.5 * i])
        return dict(inputs=x, data_samples=self.kinds[i])


def toy_runner(work_dir,
               kinds,
               custom_hooks=(),
               optim_wrapper=None,
               ballast=0,
               **kwargs):
    torch.manual_seed(0)
    return Runner(
        model=ToyModel(ballast),
        work_dir=str(work_dir),
        experiment_name=f'toy{next(_names)}',
        train_dataloader=dict(
            dataset=ToyDataset(kinds),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=1,
            num_workers=0,
            collate_fn=dict(type='pseudo_collate')),
        optim_wrapper=optim_wrapper
        or dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        train_cfg=dict(by_epoch=False, max_iters=len(kinds)),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1, by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=list(custom_hooks),
        default_scope='mmseg',
        **kwargs)
