"""RuntimeInfoHook, IterTimerHook, DistSamplerSeedHook and ParamSchedulerHook in isolation."""

from __future__ import annotations

from types import SimpleNamespace

import torch

from cadence.dataset import DefaultSampler
from cadence.hooks import (
    DistSamplerSeedHook,
    IterTimerHook,
    ParamSchedulerHook,
    RuntimeInfoHook,
    iter_timer_hook,
)
from cadence.logging import MessageHub
from support.runs import digits_cfg, train


def _runner(**kw):
    hub = MessageHub.create_instance('test-default-hooks')
    base = dict(message_hub=hub, epoch=0, iter=0, max_epochs=2, max_iters=10, training=True)
    base.update(kw)
    return SimpleNamespace(**base)


def test_runtime_info_records_lr_before_and_outputs_after_the_iteration():
    wrapper = SimpleNamespace(get_lr=lambda: {'base_lr': [0.1], 'lr': [0.05, 0.1]})
    runner = _runner(optim_wrapper=wrapper, iter=3)
    hook = RuntimeInfoHook()
    hook.before_train_iter(runner, 3)
    hook.after_train_iter(runner, 3, outputs={'loss': torch.tensor(0.5), 'acc': torch.tensor(1.0)})
    hub = runner.message_hub
    assert hub.get_info('iter') == 3
    assert hub.get_scalar('train/lr').current() == 0.05  # the first group, as the reference
    assert hub.get_scalar('train/base_lr').current() == 0.1
    assert hub.get_scalar('train/loss').current() == 0.5
    hook.after_val_epoch(runner, {'accuracy/top1': 90.0, 'confusion': [[1, 0], [0, 1]]})
    assert hub.get_scalar('val/accuracy/top1').current() == 90.0
    assert hub.get_info('val/confusion') == [[1, 0], [0, 1]]
    hook.before_val(runner)
    assert hub.get_info('loop_stage') == 'val'
    hook.after_val(runner)
    assert hub.get_info('loop_stage') == 'train'


def test_iter_timer_records_times_and_the_eta(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(iter_timer_hook.time, 'perf_counter', lambda: now[0])
    runner = _runner(iter=4, max_iters=10)  # resumed at iteration 4
    hook = IterTimerHook()
    hook.before_train(runner)  # t = 0
    now[0] = 10.0
    hook.before_train_epoch(runner)
    now[0] = 10.5
    hook.before_train_iter(runner, 0)
    now[0] = 11.0
    hook.after_train_iter(runner, 0)
    hub = runner.message_hub
    assert hub.get_scalar('train/data_time').current() == 0.5
    assert hub.get_scalar('train/time').current() == 1.0  # data time included
    # one iteration done since training (re)started 11 s ago; 5 iterations left after it
    assert hub.get_info('eta') == 11.0 * 5
    now[0] = 11.25
    hook.before_val_iter(runner, 0)
    assert hub.get_scalar('val/data_time').current() == 0.25


def test_sampler_seed_hook_sets_the_epoch():
    sampler = DefaultSampler(list(range(4)), seed=0)
    loader = SimpleNamespace(sampler=sampler, batch_sampler=SimpleNamespace(sampler=sampler))
    DistSamplerSeedHook().before_train_epoch(_runner(epoch=3, train_dataloader=loader))
    assert sampler.epoch == 3


def test_param_scheduler_hook_does_nothing_without_schedulers():
    hook = ParamSchedulerHook()
    runner = _runner(param_schedulers=None)
    hook.after_train_iter(runner, 0)
    hook.after_train_epoch(runner)
    hook.after_val_epoch(runner, {'a': 1})


def test_logged_lr_is_the_lr_used_by_each_iteration(tmp_path):
    cfg = digits_cfg(
        tmp_path,
        param_scheduler=[{'type': 'LinearLR', 'start_factor': 0.1, 'by_epoch': False, 'end': 5}],
        train_cfg={'by_epoch': True, 'max_epochs': 1},
    )
    runner = train(cfg)
    logged = runner.message_hub.get_scalar('train/lr').data[0]
    expected = [0.1 * (0.1 + 0.9 * min(i, 4) / 4) for i in range(6)]
    assert len(logged) == 6
    assert all(abs(a - b) < 1e-12 for a, b in zip(logged, expected))
