"""SyncBuffersHook: when it averages (the averaging itself across two real processes:
tests/runner/test_distributed.py)."""

from __future__ import annotations

from types import SimpleNamespace

from torch import nn

from cadence.hooks import SyncBuffersHook, sync_buffers_hook
from cadence.registry import HOOKS


def recording(monkeypatch, world_size: int) -> list[list]:
    calls: list[list] = []
    monkeypatch.setattr(sync_buffers_hook, 'get_world_size', lambda: world_size)
    monkeypatch.setattr(
        sync_buffers_hook,
        'all_reduce_params',
        lambda params, op: calls.append([list(params), op]),
    )
    return calls


def test_after_each_train_epoch_and_before_validation_not_right_after_one(monkeypatch):
    calls = recording(monkeypatch, world_size=2)
    model = nn.BatchNorm1d(3)
    runner = SimpleNamespace(model=model)
    hook = HOOKS.build({'type': 'SyncBuffersHook'})
    assert hook.priority == 'NORMAL'
    hook.after_train_epoch(runner)  # epoch-based: train epoch, then its validation
    hook.before_val_epoch(runner)
    assert len(calls) == 1
    params, op = calls[0]
    assert op == 'mean' and len(params) == 3  # running_mean, running_var, num_batches_tracked
    hook.before_val_epoch(runner)  # iteration-based: validation without an epoch end
    hook.before_val_epoch(runner)
    assert len(calls) == 3


def test_nothing_to_do_in_one_process(monkeypatch):
    calls = recording(monkeypatch, world_size=1)
    hook = SyncBuffersHook()
    runner = SimpleNamespace(model=nn.BatchNorm1d(3))
    hook.after_train_epoch(runner)
    hook.before_val_epoch(runner)
    hook.before_val_epoch(runner)
    assert calls == []
