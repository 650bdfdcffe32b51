"""Non-finite losses: stop at logging time by default, or skip and count steps on request."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from cadence.errors import CadenceError, ConfigError
from cadence.optim import (
    NonFiniteLossError,
    OptimWrapper,
    OptimWrapperDict,
    build_optim_wrapper,
    check_logged_losses,
)


def log_losses(hub, values: dict[str, list[float]]) -> None:
    """Publish per-iteration losses as 0-dim tensors, as the Runner does."""
    length = len(next(iter(values.values())))
    for i in range(length):
        for key, series in values.items():
            hub.update_scalar(f'train/{key}', torch.tensor(series[i]))
        hub.update_scalar('train/acc', torch.tensor(float('nan')))  # not a loss: ignored


def test_the_first_non_finite_iteration_and_every_loss_term_are_reported(message_hub):
    nan, inf = float('nan'), float('inf')
    log_losses(
        message_hub,
        {
            'loss': [1.0, 0.9, 0.8, 0.7, inf, nan],
            'loss_cls': [0.6, 0.5, 0.4, 0.3, inf, nan],
            'loss_bbox': [0.4, 0.4, 0.4, 0.4, 0.25, nan],
        },
    )
    with pytest.raises(NonFiniteLossError) as info:
        check_logged_losses(message_hub, 0, 5, lr={'lr': [0.02, 0.02]})
    error = info.value
    assert isinstance(error, CadenceError)
    assert error.iteration == 4
    assert error.losses == {'loss': inf, 'loss_cls': inf, 'loss_bbox': 0.25}
    message = str(error)
    assert 'iteration 5 (runner.iter=4)' in message
    assert 'loss_cls=inf' in message and 'loss_bbox=0.25' in message
    assert 'lr: lr=0.02' in message
    assert "nonfinite='skip'" in message


def test_only_the_iterations_since_the_previous_check_are_scanned(message_hub):
    log_losses(message_hub, {'loss': [float('nan'), 1.0, 1.0, 1.0]})
    check_logged_losses(message_hub, 1, 3, lr=0.1)  # iteration 0 was checked before
    with pytest.raises(NonFiniteLossError):
        check_logged_losses(message_hub, 0, 3, lr=0.1)


def test_finite_losses_pass_and_checking_costs_one_transfer(message_hub, count_host_syncs):
    log_losses(message_hub, {'loss': [1.0, 2.0, 3.0], 'loss_aux': [0.1, 0.2, 0.3]})
    with count_host_syncs() as counter:
        check_logged_losses(message_hub, 0, 2, lr=0.1)
    assert counter.count <= 2 * 3  # at most one read per value, at logging time only


def test_logging_losses_per_iteration_does_not_synchronise(message_hub, count_host_syncs):
    with count_host_syncs() as counter:
        for _ in range(20):
            message_hub.update_scalar('train/loss', torch.tensor(1.0) * 2)
    assert counter.count == 0


def test_skip_policy_published_by_the_wrapper_silences_the_check(message_hub):
    model = nn.Linear(2, 1)
    build_optim_wrapper(model, dict(optimizer=dict(type='SGD', lr=0.1), nonfinite='skip'))
    log_losses(message_hub, {'loss': [float('nan')]})
    check_logged_losses(message_hub, 0, 0, lr=0.1)
    with pytest.raises(NonFiniteLossError):
        check_logged_losses(message_hub, 0, 0, lr=0.1, policy='error')


def test_an_optim_wrapper_dict_publishes_the_strictest_policy(message_hub):
    a, b = nn.Linear(2, 1), nn.Linear(2, 1)
    OptimWrapperDict(
        gen=OptimWrapper(torch.optim.SGD(a.parameters(), lr=0.1), nonfinite='skip'),
        disc=OptimWrapper(torch.optim.SGD(b.parameters(), lr=0.1)),
    )
    assert message_hub.get_info('nonfinite_policy') == 'error'


def test_skip_policy_skips_the_update_zeroes_grads_and_counts(message_hub):
    model = nn.Linear(2, 1)
    wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), nonfinite='skip'
    )
    wrapper.update_params(model(torch.ones(1, 2)).sum())
    after_good_step = [p.detach().clone() for p in model.parameters()]
    wrapper.update_params(model(torch.ones(1, 2)).sum() * float('nan'))
    assert all(torch.equal(a, p) for a, p in zip(after_good_step, model.parameters()))
    assert all(p.grad is None for p in model.parameters())
    assert wrapper.skipped_steps == 1
    assert message_hub.get_scalar('train/skipped_steps').data[0] == [0, 1]
    wrapper.update_params(model(torch.ones(1, 2)).sum())
    assert not all(torch.equal(a, p) for a, p in zip(after_good_step, model.parameters()))

    state = wrapper.state_dict()
    assert state['skipped_steps'] == 1
    resumed = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), nonfinite='skip'
    )
    resumed.load_state_dict(state)
    assert resumed.skipped_steps == 1


def test_skip_policy_works_with_clipping_and_accumulation(message_hub):
    model = nn.Linear(2, 1)
    wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1),
        accumulative_counts=2,
        clip_grad=dict(max_norm=1.0),
        nonfinite='skip',
    )
    wrapper.initialize_count_status(model, 0, 4)
    before = [p.detach().clone() for p in model.parameters()]
    wrapper.update_params(model(torch.ones(1, 2)).sum() * float('inf'))
    wrapper.update_params(model(torch.ones(1, 2)).sum())  # window with an inf: skipped
    assert all(torch.equal(b, p) for b, p in zip(before, model.parameters()))
    assert math.isinf(message_hub.get_scalar('train/grad_norm').current())
    wrapper.update_params(model(torch.ones(1, 2)).sum())
    wrapper.update_params(model(torch.ones(1, 2)).sum())
    assert wrapper.skipped_steps == 1
    assert not all(torch.equal(b, p) for b, p in zip(before, model.parameters()))


def test_skip_policy_synchronises_once_per_update_step_only(message_hub, count_host_syncs):
    model = nn.Linear(2, 1)
    wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1), accumulative_counts=3, nonfinite='skip'
    )
    wrapper.initialize_count_status(model, 0, 6)
    with count_host_syncs() as counter:
        for _ in range(6):
            wrapper.update_params(model(torch.ones(1, 2)).sum())
    assert counter.count == 2


def test_unknown_policy_is_a_config_error():
    with pytest.raises(ConfigError, match="Did you mean 'skip'"):
        build_optim_wrapper(
            nn.Linear(2, 1), dict(optimizer=dict(type='SGD', lr=0.1), nonfinite='skipp')
        )
