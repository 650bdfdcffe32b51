"""EmptyCacheHook: which accelerator cache it releases, and when, in a real run (counted with a
recording stand-in for ``torch.cuda.empty_cache``: this machine has no GPU)."""

from __future__ import annotations

import pytest
import torch

from cadence.hooks import EmptyCacheHook, empty_cache_hook
from cadence.runner import Runner
from support.runs import digits_cfg


def test_without_an_accelerator_there_is_nothing_to_release(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(torch.backends.mps, 'is_available', lambda: False)
    assert empty_cache_hook.accelerator_empty_cache() is None


def test_cuda_is_released_through_torch_cuda_empty_cache(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    assert empty_cache_hook.accelerator_empty_cache() is torch.cuda.empty_cache


def test_mps_is_released_when_there_is_no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(torch.backends.mps, 'is_available', lambda: True)
    assert empty_cache_hook.accelerator_empty_cache() is torch.mps.empty_cache


def _count_calls(monkeypatch, tmp_path, **options):
    calls = []
    monkeypatch.setattr(
        empty_cache_hook, 'accelerator_empty_cache', lambda: lambda: calls.append(1)
    )
    cfg = digits_cfg(tmp_path, custom_hooks=[{'type': 'EmptyCacheHook', **options}])
    cfg['train_cfg'] = {'by_epoch': True, 'max_epochs': 1}
    cfg['test_dataloader'] = cfg['val_dataloader']
    cfg['test_evaluator'] = cfg['val_evaluator']
    cfg['test_cfg'] = {}
    runner = Runner.from_cfg(cfg)
    runner.train()
    runner.test()
    return len(calls)


# 1 training epoch of 6 iterations, then 1 validation and 1 test of 2 iterations each
@pytest.mark.parametrize(
    'options, expected',
    [
        ({}, 1 + 1 + 1),  # after each epoch (the default)
        ({'after_epoch': False, 'before_epoch': True}, 1 + 1 + 1),
        ({'after_epoch': False, 'after_iter': True}, 6 + 2 + 2),
        ({'before_epoch': True, 'after_iter': True}, 2 * 3 + 6 + 2 + 2),
        ({'after_epoch': False}, 0),
    ],
)
def test_calls_in_a_run(monkeypatch, tmp_path, options, expected):
    assert _count_calls(monkeypatch, tmp_path, **options) == expected


def test_a_cpu_run_with_the_hook_trains(tmp_path):
    cfg = digits_cfg(tmp_path, custom_hooks=[{'type': 'EmptyCacheHook', 'after_iter': True}])
    cfg['train_cfg'] = {'by_epoch': True, 'max_epochs': 1}
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.epoch == 1
    hook = next(h for h in runner.hooks if isinstance(h, EmptyCacheHook))
    assert hook.priority == 'NORMAL'
