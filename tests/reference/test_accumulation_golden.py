"""Every case of ``golden/accumulation.json``: final weights after short runs of the reference.

The wrapper is driven exactly as the Runner drives it (``build_optim_wrapper``,
``initialize_count_status(model, 0, max_iters)``, then per iteration ``optim_context`` around the
forward pass and ``update_params``), with the data in order, one batch per iteration, the data
loader restarting every ``epoch_length`` iterations. Cases with a ``param_scheduler`` use the
scheduler package's stepping functions; they are skipped until that package is merged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import cadence.optim.scheduler as scheduler_package
from cadence.optim import build_optim_wrapper

from .models import TwoLayerNet

GOLDEN = json.loads((Path(__file__).parent / 'golden' / 'accumulation.json').read_text())
HAS_SCHEDULERS = hasattr(scheduler_package, 'build_param_schedulers')


def batches(case: dict) -> list[tuple[torch.Tensor, torch.Tensor]]:
    data, size = case['data'], case['batch_size']
    result = []
    for start in range(0, len(data), size):
        chunk = data[start : start + size]
        result.append((torch.tensor([x for x, _ in chunk]), torch.tensor([y for _, y in chunk])))
    return result


def run_like_the_runner(entry: dict) -> dict[str, torch.Tensor]:
    case = entry['case']
    model = TwoLayerNet()
    model.load_state_dict({k: torch.tensor(v) for k, v in entry['initial_state'].items()})
    loader = batches(entry)
    epoch_length = case.get('epoch_length', len(loader))
    assert epoch_length == len(loader)
    by_epoch = 'epochs' in case
    max_iters = case['epochs'] * epoch_length if by_epoch else case['iters']
    wrapper = build_optim_wrapper(model, case['optim_wrapper'])
    schedulers = []
    if case.get('param_scheduler'):
        schedulers = scheduler_package.build_param_schedulers(
            wrapper,
            case['param_scheduler'],
            epoch_length=epoch_length,
            max_epochs=case.get('epochs'),
            max_iters=max_iters,
            train_by_epoch=by_epoch,
        )
    wrapper.initialize_count_status(model, 0, max_iters)
    for iteration in range(max_iters):
        inputs, targets = loader[iteration % epoch_length]
        with wrapper.optim_context(model):
            loss = TwoLayerNet.loss(model(inputs), targets)
        wrapper.update_params(loss)
        if schedulers:
            scheduler_package.step_after_train_iter(schedulers)
            if (iteration + 1) % epoch_length == 0:
                scheduler_package.step_after_train_epoch(schedulers)
    return model.state_dict()


@pytest.mark.parametrize('case_name', list(GOLDEN))
def test_accumulation_case_matches_reference(case_name):
    entry = GOLDEN[case_name]
    if entry['case'].get('param_scheduler') and not HAS_SCHEDULERS:
        pytest.skip(
            'needs cadence.optim.scheduler.build_param_schedulers, which is not merged yet '
            '(the scheduler package lands on main separately)'
        )
    final = run_like_the_runner(entry)
    for name, expected in entry['final_state'].items():
        torch.testing.assert_close(
            final[name],
            torch.tensor(expected),
            rtol=1e-5,
            atol=1e-5,
            msg=lambda m, n=name: f'{n}: {m}',
        )
