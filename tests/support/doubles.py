"""Stand-ins for the optimizer-wrapper and scheduler packages (tests only), used until those
packages land on main. They implement the contracts of docs/internals.md minimally."""

from __future__ import annotations

import contextlib
import math

import torch


class SimpleOptimWrapper:
    def __init__(self, optimizer, accumulative_counts=1):
        self.optimizer = optimizer
        self.accumulative_counts = accumulative_counts
        self._inner_count = 0
        self._max_counts = -1

    @property
    def param_groups(self):
        return self.optimizer.param_groups

    def optim_context(self, model):
        return contextlib.nullcontext()

    def update_params(self, loss, step_kwargs=None, zero_kwargs=None):
        loss.backward()
        self._inner_count += 1
        self.optimizer.step()
        self.optimizer.zero_grad()

    def initialize_count_status(self, model, init_counts, max_counts):
        self._inner_count = init_counts
        self._max_counts = max_counts

    def get_lr(self):
        return {'lr': [g['lr'] for g in self.optimizer.param_groups]}

    def get_momentum(self):
        return {'momentum': [g.get('momentum', 0) for g in self.optimizer.param_groups]}

    def state_dict(self):
        return self.optimizer.state_dict()

    def load_state_dict(self, state):
        self.optimizer.load_state_dict(state)


def check_logged_losses(message_hub, first_iter=0, last_iter=0, lr=None, policy=None):
    for key, buffer in message_hub.log_scalars.items():
        if 'loss' in key and len(buffer) and not math.isfinite(buffer.current()):
            raise ValueError(f'non-finite {key}')


class StepLRDouble:
    """lr *= gamma every `step` iterations (iteration-based)."""

    by_epoch = False

    def __init__(self, optimizer, step, gamma):
        self.optimizer, self.step_size, self.gamma = optimizer, step, gamma
        self.count = 0
        self.base = [g['lr'] for g in optimizer.param_groups]

    def step(self):
        self.count += 1
        for g, b in zip(self.optimizer.param_groups, self.base):
            g['lr'] = b * self.gamma ** (self.count // self.step_size)

    def state_dict(self):
        return {'count': self.count, 'base': list(self.base)}

    def load_state_dict(self, state):
        self.count = state['count']
        self.base = list(state['base'])
        for g, b in zip(self.optimizer.param_groups, self.base):
            g['lr'] = b * self.gamma ** (self.count // self.step_size)


def install(monkeypatch):
    """Make cadence.optim provide what the Runner imports."""
    import cadence.optim as optim
    import cadence.optim.scheduler as scheduler

    monkeypatch.setattr(optim, 'check_logged_losses', check_logged_losses, raising=False)

    def step_iter(schedulers):
        for s in schedulers:
            if not s.by_epoch:
                s.step()

    def step_epoch(schedulers):
        for s in schedulers:
            if s.by_epoch:
                s.step()

    def step_val(schedulers, metrics):
        pass

    def restore(schedulers, states):
        for s, state in zip(schedulers, states):
            s.load_state_dict(state)

    for name, func in (
        ('step_after_train_iter', step_iter),
        ('step_after_train_epoch', step_epoch),
        ('step_after_val_epoch', step_val),
        ('restore_schedulers', restore),
    ):
        monkeypatch.setattr(scheduler, name, func, raising=False)


def sgd_wrapper(model, lr=0.1, momentum=0.9):
    return SimpleOptimWrapper(torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum))
