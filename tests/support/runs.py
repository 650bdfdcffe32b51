"""Small, fast training configs on a slice of the digits data for Runner tests."""

from __future__ import annotations

import copy
from typing import Any

import torch

from cadence.runner import Runner


def digits_cfg(work_dir, **overrides: Any) -> dict[str, Any]:
    """An epoch-based run: MLP with dropout, 96 shuffled training samples (6 batches of 16),
    validation on 64 samples, SGD with momentum, a checkpoint every epoch."""
    cfg: dict[str, Any] = {
        'model': {'type': 'MLPClassifier', 'hidden_dims': (32,), 'dropout': 0.2},
        'work_dir': str(work_dir),
        'train_dataloader': {
            'batch_size': 16,
            'num_workers': 0,
            'sampler': {'type': 'DefaultSampler', 'shuffle': True},
            'dataset': {'type': 'DigitsDataset', 'split': 'train', 'indices': 96},
            'collate_fn': {'type': 'default_collate'},
        },
        'val_dataloader': {
            'batch_size': 32,
            'sampler': {'type': 'DefaultSampler', 'shuffle': False},
            'dataset': {'type': 'DigitsDataset', 'split': 'val', 'indices': 64},
            'collate_fn': {'type': 'default_collate'},
        },
        'val_evaluator': {'type': 'Accuracy'},
        'train_cfg': {'by_epoch': True, 'max_epochs': 3},
        'val_cfg': {},
        'optim_wrapper': {'optimizer': {'type': 'SGD', 'lr': 0.1, 'momentum': 0.9}},
        'default_hooks': {
            'logger': {'type': 'LoggerHook', 'interval': 2},
            'checkpoint': {'type': 'CheckpointHook', 'interval': 1},
        },
        'randomness': {'seed': 0},
        'log_level': 'WARNING',
    }
    for key, value in overrides.items():
        cfg[key] = value
    return copy.deepcopy(cfg)


def iter_cfg(work_dir, **overrides: Any) -> dict[str, Any]:
    """The same run counted in iterations (20 iterations over 6-batch passes)."""
    cfg = digits_cfg(
        work_dir,
        train_cfg={'by_epoch': False, 'max_iters': 20, 'val_interval': 10},
        log_processor={'by_epoch': False},
        default_hooks={
            'logger': {'type': 'LoggerHook', 'interval': 5},
            'checkpoint': {'type': 'CheckpointHook', 'interval': 5, 'by_epoch': False},
        },
    )
    cfg.update(copy.deepcopy(overrides))
    return cfg


def train(cfg: dict[str, Any]) -> Runner:
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def assert_same_training_state(a: Runner, b: Runner) -> None:
    """Bit-identical weights, optimizer state and hyper-parameters."""
    state_a, state_b = a.model.state_dict(), b.model.state_dict()
    assert state_a.keys() == state_b.keys()
    for key in state_a:
        assert torch.equal(state_a[key], state_b[key]), key
    opt_a, opt_b = a.optim_wrapper.optimizer.state_dict(), b.optim_wrapper.optimizer.state_dict()
    assert opt_a['state'].keys() == opt_b['state'].keys()
    for index, values in opt_a['state'].items():
        for name, value in values.items():
            other = opt_b['state'][index][name]
            if isinstance(value, torch.Tensor):
                assert torch.equal(value, other), (index, name)
            else:
                assert value == other, (index, name)
    groups_a = [{k: v for k, v in g.items() if k != 'params'} for g in a.optim_wrapper.param_groups]
    groups_b = [{k: v for k, v in g.items() if k != 'params'} for g in b.optim_wrapper.param_groups]
    assert groups_a == groups_b
