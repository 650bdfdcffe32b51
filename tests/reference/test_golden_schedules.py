"""Every case of ``golden/schedules`` (the reference engine's own numbers) matches to 1e-9.

Data-driven over every file and every case: a case gives the optimizer, the ``param_scheduler``
field and the training length; we build the model of the golden README (``backbone =
Linear(2, 2)``, ``head = Linear(2, 1)``), the optim wrapper with ``build_optim_wrapper`` (so
``paramwise_cfg`` and the base-lr pseudo-group are real), the schedulers as the Runner does, and
step them as the Runner does: iteration-based schedulers after every iteration, epoch-based ones
after every epoch. Before each iteration we compare lr, momentum (``betas[0]`` for Adam) and
weight decay of every parameter with the reference's row.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from cadence.optim import build_optim_wrapper
from cadence.optim.scheduler import (
    build_param_schedulers,
    step_after_train_epoch,
    step_after_train_iter,
)

GOLDEN = Path(__file__).parent / 'golden' / 'schedules'
REL_TOL = 1e-9


def _cases():
    for path in sorted(GOLDEN.glob('*.json')):
        data = json.loads(path.read_text())
        for case in data if isinstance(data, list) else [data]:
            yield pytest.param(case, id=case['case']['name'])


def _model() -> torch.nn.Module:
    return torch.nn.ModuleDict({'backbone': torch.nn.Linear(2, 2), 'head': torch.nn.Linear(2, 1)})


def build_optimizer(case: dict, model: torch.nn.Module):
    """The optim wrapper the Runner builds for ``case`` (with its ``paramwise_cfg``)."""
    cfg = {'optimizer': dict(case['optimizer'])}
    if case.get('paramwise_cfg'):
        cfg['paramwise_cfg'] = case['paramwise_cfg']
    wrapper = build_optim_wrapper(model, cfg)
    return wrapper, wrapper.optimizer


def record(optimizer, names: dict[int, str]) -> dict[str, dict[str, float]]:
    row: dict[str, dict[str, float]] = {'lr': {}, 'momentum': {}, 'weight_decay': {}}
    for group in optimizer.param_groups:
        momentum = group['momentum'] if 'momentum' in group else group['betas'][0]
        for param in group['params']:
            name = names[id(param)]
            row['lr'][name] = group['lr']
            row['momentum'][name] = momentum
            row['weight_decay'][name] = group['weight_decay']
    return row


def test_golden_files_are_present():
    assert len(list(GOLDEN.glob('*.json'))) >= 19


@pytest.mark.parametrize('golden', list(_cases()))
def test_schedule_matches_reference(golden):
    case = golden['case']
    model = _model()
    wrapper, optimizer = build_optimizer(case, model)
    names = {id(p): n for n, p in model.named_parameters()}
    length = case['epoch_length']
    by_epoch = case.get('max_iters') is None
    iterations = case['max_epochs'] * length if by_epoch else case['max_iters']
    schedulers = build_param_schedulers(
        wrapper,
        case['param_scheduler'],
        epoch_length=length,
        max_epochs=case['max_epochs'],
        max_iters=case['max_iters'] if not by_epoch else iterations,
        train_by_epoch=by_epoch,
    )
    rows = golden['values']
    assert len(rows) == iterations
    for iteration, expected in enumerate(rows):
        got = record(optimizer, names)
        for key in ('lr', 'momentum', 'weight_decay'):
            for name, value in expected[key].items():
                assert math.isclose(got[key][name], value, rel_tol=REL_TOL, abs_tol=0.0), (
                    f'{case["name"]}: iteration {iteration}, {key} of {name}: '
                    f'{got[key][name]!r} != reference {value!r}'
                )
        step_after_train_iter(schedulers)
        if by_epoch and (iteration + 1) % length == 0:
            step_after_train_epoch(schedulers)
