"""The reference engine's numbers, reproduced through the Runner.

Every case of ``golden/schedules/*.json`` (lr, momentum and weight decay of every parameter
before every iteration) and of ``golden/accumulation.json`` (final weights after runs with
gradient accumulation and clipping) is trained by ``Runner.train()`` with the default hooks,
set up as ``/work/shared/golden/README.md`` describes. Data-driven: new cases in those files
are picked up without changes here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import Dataset

from cadence.hooks import Hook
from cadence.model import BaseModel
from cadence.runner import Runner

GOLDEN = Path(__file__).parent / 'golden'
SCHEDULE_TOL = 1e-9
WEIGHT_TOL = 1e-5


class PairDataset(Dataset):
    """``(input vector, target)`` pairs as ``dict(inputs=..., data_samples=...)``."""

    def __init__(self, pairs):
        self.inputs = [torch.tensor(x, dtype=torch.float32) for x, _ in pairs]
        self.targets = [torch.tensor(y, dtype=torch.float32) for _, y in pairs]

    def __len__(self):
        return len(self.inputs)

    def __getitem__(self, index):
        return {'inputs': self.inputs[index], 'data_samples': self.targets[index]}


class ScheduleModel(BaseModel):
    """``backbone = Linear(2, 2)``, ``head = Linear(2, 1)``, loss ``mean(out ** 2)``."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(2, 2)
        self.head = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.head(self.backbone(inputs))
        return {'loss': (out**2).mean()} if mode == 'loss' else out


class AccumulationModel(BaseModel):
    """``fc2(tanh(fc1(x)))`` with loss ``mean((out - y) ** 2)``."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.fc2 = nn.Linear(3, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.fc2(torch.tanh(self.fc1(inputs)))
        if mode == 'loss':
            return {'loss': ((out.squeeze(-1) - data_samples) ** 2).mean()}
        return out


class ValueRecorder(Hook):
    """Records every parameter's lr, momentum (``betas[0]``) and weight decay before each
    iteration, at the lowest priority (after every other hook)."""

    priority = 'LOWEST'

    def __init__(self):
        self.rows = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        names = {id(p): n for n, p in runner.model.named_parameters()}
        row = {
            'iter': runner.iter,
            'epoch': runner.epoch,
            'lr': {},
            'momentum': {},
            'weight_decay': {},
        }
        for group in runner.optim_wrapper.optimizer.param_groups:
            momentum = group['momentum'] if 'momentum' in group else group['betas'][0]
            for param in group['params']:
                row['lr'][names[id(param)]] = group['lr']
                row['momentum'][names[id(param)]] = momentum
                row['weight_decay'][names[id(param)]] = group['weight_decay']
        self.rows.append(row)


def _loader(dataset, batch_size):
    return {
        'batch_size': batch_size,
        'num_workers': 0,
        'dataset': dataset,
        'sampler': {'type': 'DefaultSampler', 'shuffle': False},
        'collate_fn': {'type': 'default_collate'},
    }


def _runner(tmp_path, model, loader, train_cfg, optim_wrapper, param_scheduler):
    return Runner(
        model=model,
        work_dir=str(tmp_path),
        train_dataloader=loader,
        train_cfg=train_cfg,
        optim_wrapper=optim_wrapper,
        param_scheduler=param_scheduler,
        default_hooks={'logger': {'type': 'LoggerHook', 'interval': 10_000}, 'checkpoint': None},
        log_processor={'by_epoch': train_cfg['by_epoch']},
        log_level='WARNING',
        randomness={'seed': 0},
    )


def _schedule_cases():
    for path in sorted((GOLDEN / 'schedules').glob('*.json')):
        data = json.loads(path.read_text())
        for case in data if isinstance(data, list) else [data]:
            yield pytest.param(case, id=case['case']['name'])


def _accumulation_cases():
    path = GOLDEN / 'accumulation.json'
    if not path.exists():
        return
    for name, case in json.loads(path.read_text()).items():
        yield pytest.param(case, id=name)


def test_accumulation_cases_are_there():
    assert len(list(_accumulation_cases())) >= 4


def test_schedule_cases_are_there():
    assert len(list(_schedule_cases())) >= 19


@pytest.mark.parametrize('golden', list(_schedule_cases()))
def test_schedule_case_through_the_runner(tmp_path, golden):
    case = golden['case']
    torch.manual_seed(0)
    # small inputs keep mean(out ** 2) from diverging under the larger learning rates
    pairs = [((0.1 * torch.randn(2)).tolist(), 0.0) for _ in range(case['epoch_length'])]
    if case.get('max_iters'):
        train_cfg = {'by_epoch': False, 'max_iters': case['max_iters']}
    else:
        train_cfg = {'by_epoch': True, 'max_epochs': case['max_epochs']}
    optim_wrapper = {'optimizer': dict(case['optimizer'])}
    if case.get('paramwise_cfg'):
        optim_wrapper['paramwise_cfg'] = case['paramwise_cfg']
    runner = _runner(
        tmp_path,
        ScheduleModel(),
        _loader(PairDataset(pairs), 1),
        train_cfg,
        optim_wrapper,
        case['param_scheduler'],
    )
    recorder = ValueRecorder()
    runner.register_hook(recorder)
    runner.train()
    expected = golden['values']
    assert len(recorder.rows) == len(expected)
    for row, want in zip(recorder.rows, expected):
        assert (row['iter'], row['epoch']) == (want['iter'], want['epoch'])
        for key in ('lr', 'momentum', 'weight_decay'):
            assert row[key].keys() == want[key].keys()
            for name, value in want[key].items():
                assert math.isclose(row[key][name], value, rel_tol=SCHEDULE_TOL, abs_tol=1e-15), (
                    f'iter {want["iter"]} {key} {name}: {row[key][name]} != {value}'
                )


@pytest.mark.parametrize('golden', list(_accumulation_cases()))
def test_accumulation_case_through_the_runner(tmp_path, golden):
    case = golden['case']
    model = AccumulationModel()
    model.load_state_dict({k: torch.tensor(v) for k, v in golden['initial_state'].items()})
    dataset = PairDataset(golden['data'])
    assert len(dataset) // golden['batch_size'] == case['epoch_length']
    if case.get('iters'):
        train_cfg = {'by_epoch': False, 'max_iters': case['iters']}
    else:
        train_cfg = {'by_epoch': True, 'max_epochs': case['epochs']}
    runner = _runner(
        tmp_path,
        model,
        _loader(dataset, golden['batch_size']),
        train_cfg,
        case['optim_wrapper'],
        case.get('param_scheduler'),
    )
    runner.train()
    final = runner.model.state_dict()
    assert final.keys() == golden['final_state'].keys()
    for name, value in golden['final_state'].items():
        torch.testing.assert_close(final[name], torch.tensor(value), rtol=WEIGHT_TOL, atol=1e-7)
