"""NonFiniteGuardHook: a diverging run stops at once with the iteration, the
terms, the lr and the last (finite) checkpoint; a non-finite iteration never
updates the weights or reaches a checkpoint; patience skips; an AMP-style
skipped step does not count; a healthy run is bit-for-bit unchanged."""
import os
import os.path as osp
import re
import runpy
import sys

import pytest
import torch
from helpers import REPO_ROOT
from mmengine.optim import OptimWrapper
from toy_runner import toy_runner

from mmseg_gated.apis import load_checkpoint_file
from mmseg_gated.engine.hooks import NonFiniteError, NonFiniteGuardHook

DEMO = osp.join(REPO_ROOT, 'configs', 'demo',
                'upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py')


def weights(runner):
    return {
        k: v.detach().clone()
        for k, v in runner.model.state_dict().items()
    }


def momentum(runner):
    state = runner.optim_wrapper.optimizer.state
    return [state[p]['momentum_buffer'].clone() for p in state]


# mmseg's SegVisualizationHook warns that the demo's draw=False draws nothing
@pytest.mark.filterwarnings('ignore:The draw is False:UserWarning')
def test_demo_lr_1e5_stops(tmp_path, monkeypatch, capsys):
    """The reported reproduction, small: tools/train.py exits with status 1
    (SystemExit with the message) within a few iterations, and nothing is
    saved at or after the bad iteration. Run in this process (runpy) to
    spare the imports of a subprocess."""
    work = tmp_path / 'work'
    monkeypatch.setattr(sys, 'argv', [
        'tools/train.py', DEMO, '--work-dir',
        str(work), '--cfg-options', 'optim_wrapper.optimizer.lr=100000.0',
        'train_cfg.max_iters=10', 'train_cfg.val_interval=10',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2',
        'train_dataloader.dataset.num_samples=8',
        'val_dataloader.dataset.num_samples=2',
        f'experiment_name=lr1e5_{tmp_path.name}',
        f'visualizer.name=lr1e5_{tmp_path.name}'
    ])
    monkeypatch.chdir(REPO_ROOT)
    with pytest.raises(SystemExit) as e:
        runpy.run_path(
            osp.join(REPO_ROOT, 'tools', 'train.py'), run_name='__main__')
    # a string code: Python prints it and exits with status 1
    assert isinstance(e.value.code, str), e.value.code
    out = capsys.readouterr().out + '\n' + e.value.code
    # BN running variances overflow before the loss does: the save of that
    # iteration is refused (non-finite weights); a later NaN loss would stop
    # it in after_train_iter (the toy tests below)
    m = re.search(
        r'^error: Training diverged: non-finite (.+?) at iteration (\d+), '
        r'lr=(\S+)\. .*?the last checkpoint \(finite weights\) is (\S+)\.',
        out, re.M)
    assert m, out[-3000:]
    terms, it, lr, last = m.group(1), int(m.group(2)), m.group(3), m.group(4)
    assert re.match(r'weights \(\S+running_var|loss=(nan|inf)', terms)
    assert 1 < it <= 6
    logged = re.search(rf'Iter\(train\) \[\s*{it}/10\]\s+lr: (\S+)', out)
    assert abs(float(lr) / float(logged.group(1)) - 1) < 1e-3, out[-3000:]
    assert last == str(work / f'iter_{it - 1}.pth')
    saved = sorted(f for f in os.listdir(work) if f.endswith('.pth'))
    assert saved == [f'iter_{i}.pth' for i in range(1, it)]
    for name in saved:  # every checkpoint holds finite weights
        state = load_checkpoint_file(str(work / name))['state_dict']
        assert all(
            torch.isfinite(v).all() for v in state.values()
            if v.is_floating_point()), name
    assert 'aAcc' not in out  # no validation of a diverged model


def test_stop_keeps_previous_weights(tmp_path):
    runner = toy_runner(tmp_path, ['ok', 'ok', 'nan', 'ok'],
                        [NonFiniteGuardHook()])
    with pytest.raises(NonFiniteError) as e:
        runner.train()
    msg = str(e.value)
    assert 'non-finite loss=nan, aux_loss=nan at iteration 3, lr=0.1.' in msg
    assert f'is {tmp_path / "iter_2.pth"}.' in msg
    assert not osp.exists(tmp_path / 'iter_3.pth')
    saved = load_checkpoint_file(str(tmp_path / 'iter_2.pth'))['state_dict']
    now = weights(runner)
    assert all(torch.equal(saved[k], now[k]) for k in now)  # not updated


def test_patience_skips_the_update(tmp_path):
    runner = toy_runner(tmp_path, ['ok', 'nan', 'ok'],
                        [NonFiniteGuardHook(patience=2)])
    runner.train()  # one non-finite iteration: skipped, no stop
    it1 = load_checkpoint_file(str(tmp_path / 'iter_1.pth'))
    it2 = load_checkpoint_file(str(tmp_path / 'iter_2.pth'))
    for k, v in it1['state_dict'].items():
        assert torch.equal(v, it2['state_dict'][k]), k
    m1, m2 = (c['optimizer']['state'] for c in (it1, it2))
    for k in m1:  # momentum untouched by the skipped step
        assert torch.equal(m1[k]['momentum_buffer'], m2[k]['momentum_buffer'])
    it3 = load_checkpoint_file(str(tmp_path / 'iter_3.pth'))['state_dict']
    assert not torch.equal(it3['linear.weight'],
                           it2['state_dict']['linear.weight'])

    runner = toy_runner(tmp_path / 'b', ['ok', 'nan', 'nan', 'ok'],
                        [NonFiniteGuardHook(patience=2)])
    with pytest.raises(
            NonFiniteError,
            match=r'at iteration 3 \(2 '
            r'consecutive iterations, patience=2\)'):
        runner.train()


def test_gradient_norm_without_amp(tmp_path):
    clip = dict(
        optimizer=dict(type='SGD', lr=0.1), clip_grad=dict(max_norm=1.0))
    runner = toy_runner(
        tmp_path, ['ok', 'inf_grad', 'ok'], [NonFiniteGuardHook()],
        optim_wrapper=clip)
    with pytest.raises(
            NonFiniteError, match='non-finite grad_norm=inf at iteration 2'):
        runner.train()
    before = load_checkpoint_file(str(tmp_path / 'iter_1.pth'))
    now = weights(runner)
    assert all(torch.equal(before['state_dict'][k], now[k]) for k in now)


class FakeAmpOptimWrapper(OptimWrapper):
    """AmpOptimWrapper's contract on the CPU: a ``loss_scaler`` whose step
    is skipped when the gradients are not finite (GradScaler's found_inf)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_scaler = self  # what the guard looks for
        self.skipped_steps = 0

    def step(self, **kwargs):
        if self.clip_grad_kwargs:
            self._clip_grad()  # logs grad_norm=inf, as mmengine's does
        grads = [
            p.grad for g in self.optimizer.param_groups for p in g['params']
            if p.grad is not None
        ]
        if not all(torch.isfinite(g).all() for g in grads):
            self.skipped_steps += 1
            return
        self.optimizer.step(**kwargs)


def test_amp_skipped_step_does_not_trip(tmp_path):
    runner = toy_runner(tmp_path, ['ok', 'inf_grad', 'ok'],
                        [NonFiniteGuardHook()])
    wrapper = FakeAmpOptimWrapper(
        torch.optim.SGD(runner.model.parameters(), lr=0.1),
        clip_grad=dict(max_norm=1.0))
    runner.optim_wrapper = wrapper
    runner.train()
    assert wrapper.skipped_steps == 1
    assert runner.iter == 3
    # a non-finite loss still counts under AMP
    runner = toy_runner(tmp_path / 'b', ['ok', 'nan'], [NonFiniteGuardHook()])
    wrapper = FakeAmpOptimWrapper(
        torch.optim.SGD(runner.model.parameters(), lr=0.1))
    runner.optim_wrapper = wrapper
    with pytest.raises(
            NonFiniteError, match='loss=nan, aux_loss=nan at iteration 2'):
        runner.train()


def test_never_saves_non_finite_weights(tmp_path):
    runner = toy_runner(tmp_path, ['ok'], [NonFiniteGuardHook()])
    runner.train()
    with torch.no_grad():
        runner.model.linear.bias.fill_(float('nan'))
    with pytest.raises(
            NonFiniteError, match=r'non-finite weights \(linear.bias\)'):
        runner.save_checkpoint(str(tmp_path), 'bad.pth')
    assert not osp.exists(tmp_path / 'bad.pth')


def test_healthy_run_unchanged(tmp_path):
    """Guard on and off: the same losses and the same weights, bit for
    bit, and the optimizer wrapper is restored after training."""
    results = []
    for enabled in (True, False):
        runner = toy_runner(tmp_path / str(enabled), ['ok'] * 4,
                            [NonFiniteGuardHook(enabled=enabled)])
        runner.train()
        assert 'step' not in vars(runner.optim_wrapper)
        hist = runner.message_hub.get_scalar('train/loss').data[0]
        results.append((list(hist), weights(runner), momentum(runner)))
    (l1, w1, m1), (l2, w2, m2) = results
    assert l1 == l2 and len(l1) == 4
    assert all(torch.equal(w1[k], w2[k]) for k in w1)
    assert all(torch.equal(a, b) for a, b in zip(m1, m2))


def test_default_runtime_has_guard():
    from mmengine.config import Config
    cfg = Config.fromfile(DEMO)
    guards = [h for h in cfg.custom_hooks if h.type == 'NonFiniteGuardHook']
    assert guards and guards[0].get('enabled', True)
    assert NonFiniteGuardHook.priority < 90  # before CheckpointHook
