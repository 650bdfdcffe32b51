"""Averaged models against hand-written update rules (reference-behaviour §6.3):
``ema = (1 - m) * ema + m * src`` with the momentum as the weight of the *new* value, the first
update copying, ``interval``, buffers copied or averaged, annealing ``max(m, g / (g + steps))``
and the SWA running mean."""

from __future__ import annotations

import logging

import pytest
import torch
from torch import nn

from cadence.errors import ConfigError
from cadence.model import (
    BaseAveragedModel,
    ExponentialMovingAverage,
    MomentumAnnealingEMA,
    StochasticWeightAverage,
)
from cadence.model.averaged_model import annealed_momentum, swa_weight
from cadence.registry import MODELS


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


def _sources(model: nn.Module, count: int) -> list[dict[str, torch.Tensor]]:
    """``count`` different states of ``model`` (parameters and BN statistics), each applied to
    the model in turn by :func:`_apply`."""
    generator = torch.Generator().manual_seed(1)
    states = []
    for step in range(count):
        state = {}
        for key, value in model.state_dict().items():
            if value.dtype.is_floating_point:
                state[key] = torch.randn(value.shape, generator=generator)
            else:
                state[key] = torch.tensor(step + 7)
        states.append(state)
    return states


def _apply(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    with torch.no_grad():
        for key, value in model.state_dict().items():
            value.copy_(state[key])


def _param_keys(model: nn.Module) -> list[str]:
    return [name for name, _ in model.named_parameters()]


def _expected_ema(states, keys, momentum_at, interval=1):
    """The hand-written rule in float64: copy at update 0, then every ``interval`` updates
    ``ema = (1 - m_t) * ema + m_t * src``."""
    ema = {}
    for steps, state in enumerate(states):
        for key in keys:
            src = state[key].double()
            if steps == 0:
                ema[key] = src.clone()
            elif steps % interval == 0:
                m = momentum_at(steps)
                ema[key] = (1 - m) * ema[key] + m * src
    return ema


def _run(averaged: BaseAveragedModel, model: nn.Module, states) -> None:
    for state in states:
        _apply(model, state)
        averaged.update_parameters(model)


@pytest.mark.parametrize('interval', [1, 3])
def test_ema_follows_the_hand_written_rule(interval):
    model = _model()
    states = _sources(model, 10)
    ema = ExponentialMovingAverage(model, momentum=0.3, interval=interval)
    _run(ema, model, states)
    expected = _expected_ema(states, _param_keys(model), lambda s: 0.3, interval)
    for key, value in expected.items():
        torch.testing.assert_close(ema.module.state_dict()[key].double(), value)
    assert ema.num_updates == 10


def test_ema_is_bit_identical_to_the_reference_per_tensor_lerp():
    model = _model()
    states = _sources(model, 6)
    ema = ExponentialMovingAverage(model, momentum=0.25)
    _run(ema, model, states)
    keys = _param_keys(model)
    manual = {key: states[0][key].clone() for key in keys}
    for state in states[1:]:
        for key in keys:
            manual[key].lerp_(state[key], 0.25)
    for key in keys:
        assert torch.equal(ema.module.state_dict()[key], manual[key]), key


def test_buffers_are_copied_at_every_update_unless_averaged():
    model = _model()
    states = _sources(model, 5)
    ema = ExponentialMovingAverage(model, momentum=0.5, interval=2)
    _run(ema, model, states)  # the last update (steps=4) averages; buffers are copied anyway
    for key in ('1.running_mean', '1.running_var', '1.num_batches_tracked'):
        assert torch.equal(ema.module.state_dict()[key], states[-1][key]), key

    model = _model()
    averaged = ExponentialMovingAverage(model, momentum=0.5, update_buffers=True)
    _run(averaged, model, states)
    expected = _expected_ema(states, ['1.running_mean', '1.running_var'], lambda s: 0.5)
    for key, value in expected.items():
        torch.testing.assert_close(averaged.module.state_dict()[key].double(), value)
    # only floating-point tensors are averaged: the counter keeps its first (copied) value
    assert (
        averaged.module.state_dict()['1.num_batches_tracked'] == states[0]['1.num_batches_tracked']
    )


def test_annealing_momentum_is_max_of_momentum_and_gamma_ratio():
    assert annealed_momentum(0.01, 10, 0) == 1.0
    assert annealed_momentum(0.01, 10, 10) == 0.5
    assert annealed_momentum(0.01, 10, 10_000) == 0.01
    model = _model()
    states = _sources(model, 8)
    ema = MomentumAnnealingEMA(model, momentum=0.1, gamma=4)
    _run(ema, model, states)
    expected = _expected_ema(states, _param_keys(model), lambda s: max(0.1, 4 / (4 + s)))
    for key, value in expected.items():
        torch.testing.assert_close(ema.module.state_dict()[key].double(), value)


@pytest.mark.parametrize('interval', [1, 2])
def test_swa_is_the_mean_of_the_sampled_weights(interval):
    assert [swa_weight(s, 2) for s in (2, 4, 6)] == [1 / 2, 1 / 3, 1 / 4]
    model = _model()
    states = _sources(model, 7)
    swa = StochasticWeightAverage(model, interval=interval)
    _run(swa, model, states)
    sampled = states[::interval]  # updates 0, interval, 2*interval, ...
    for key in _param_keys(model):
        mean = torch.stack([s[key].double() for s in sampled]).mean(0)
        torch.testing.assert_close(swa.module.state_dict()[key].double(), mean)


def test_the_source_model_is_not_modified_and_the_copy_needs_no_grad():
    model = _model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ema = ExponentialMovingAverage(model, momentum=0.5)
    ema.update_parameters(model)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert not any(p.requires_grad for p in ema.module.parameters())
    assert all(p.requires_grad for p in model.parameters())


def test_state_dict_round_trip_continues_exactly():
    model = _model()
    states = _sources(model, 9)
    straight = MomentumAnnealingEMA(model, momentum=0.05, gamma=3, interval=2)
    _run(straight, model, states)

    model = _model()
    first = MomentumAnnealingEMA(model, momentum=0.05, gamma=3, interval=2)
    _run(first, model, states[:4])
    saved = first.state_dict()
    assert saved['steps'] == 4  # the buffer is written when the state dict is taken
    assert {k for k in saved if k != 'steps'} == {f'module.{k}' for k in model.state_dict()}
    second = MomentumAnnealingEMA(_model(), momentum=0.05, gamma=3, interval=2)
    second.load_state_dict(saved)
    assert second.num_updates == 4
    _run(second, model, states[4:])
    for key, value in straight.state_dict().items():
        assert torch.equal(value, second.state_dict()[key]), key


class _NoHostSync:
    """Makes every tensor-to-Python conversion raise: a host synchronisation on a GPU."""

    NAMES = ('item', 'tolist', '__bool__', '__float__', '__int__', '__index__')

    def __enter__(self):
        self.saved = {name: getattr(torch.Tensor, name) for name in self.NAMES}

        def forbid(*args, **kwargs):
            raise AssertionError('host synchronisation in the update')

        for name in self.NAMES:
            setattr(torch.Tensor, name, forbid)

    def __exit__(self, *exc):
        for name, method in self.saved.items():
            setattr(torch.Tensor, name, method)


@pytest.mark.parametrize(
    'cls, kwargs',
    [
        (ExponentialMovingAverage, {'momentum': 0.1, 'interval': 2}),
        (MomentumAnnealingEMA, {'momentum': 0.1, 'gamma': 5}),
        (StochasticWeightAverage, {'interval': 2}),
        (ExponentialMovingAverage, {'momentum': 0.1, 'update_buffers': True}),
    ],
)
def test_updates_read_nothing_back_from_the_device(cls, kwargs):
    model = _model()
    states = _sources(model, 6)
    averaged = cls(model, **kwargs)
    averaged.update_parameters(model)  # builds the cached tensor lists
    for state in states:
        _apply(model, state)
        with _NoHostSync():
            averaged.update_parameters(model)
    assert averaged.num_updates == 7


def test_a_custom_per_tensor_rule_gets_the_steps_buffer():
    seen = []

    class Halfway(BaseAveragedModel):
        def avg_func(self, averaged_param, source_param, steps):
            seen.append(int(steps))
            averaged_param.add_(source_param - averaged_param, alpha=0.5)

    model = _model()
    states = _sources(model, 3)
    averaged = Halfway(model)
    _run(averaged, model, states)
    assert sorted(set(seen)) == [1, 2]
    expected = _expected_ema(states, _param_keys(model), lambda s: 0.5)
    for key, value in expected.items():
        torch.testing.assert_close(averaged.module.state_dict()[key].double(), value)


def test_a_subclass_overriding_avg_func_of_a_builtin_is_used():
    class Doubled(ExponentialMovingAverage):
        def avg_func(self, averaged_param, source_param, steps):
            averaged_param.lerp_(source_param, 2 * self.momentum)

    model = _model()
    states = _sources(model, 4)
    averaged = Doubled(model, momentum=0.2)
    _run(averaged, model, states)
    expected = _expected_ema(states, _param_keys(model), lambda s: 0.4)
    for key, value in expected.items():
        torch.testing.assert_close(averaged.module.state_dict()[key].double(), value)


def test_moving_either_model_rebuilds_the_cached_tensors():
    model = _model()
    states = _sources(model, 3)
    ema = ExponentialMovingAverage(model, momentum=0.5)
    _run(ema, model, states[:2])
    model.double()
    ema.double()
    _apply(model, states[2])
    ema.update_parameters(model)
    assert ema.module[1].running_mean.dtype == torch.float64
    assert torch.equal(ema.module[1].running_mean, states[2]['1.running_mean'].double())


def test_copy_from_does_not_count_as_an_update():
    model = _model()
    states = _sources(model, 2)
    ema = ExponentialMovingAverage(model, momentum=0.5)
    _apply(model, states[1])
    ema.copy_from(model)
    assert ema.num_updates == 0
    for key, value in model.state_dict().items():
        assert torch.equal(ema.module.state_dict()[key], value)


def test_registered_in_models_and_built_from_a_config():
    model = _model()
    built = MODELS.build(
        {'type': 'MomentumAnnealingEMA', 'gamma': 50}, default_args={'model': model}
    )
    assert isinstance(built, MomentumAnnealingEMA) and built.gamma == 50
    assert built.momentum == 0.0002 and built.interval == 1 and not built.update_buffers
    assert built.steps.dtype == torch.long and 'steps' in built.state_dict()


@pytest.mark.parametrize(
    'kwargs, message',
    [
        ({'momentum': 0.0}, 'momentum must be in (0, 1)'),
        ({'momentum': 1.5}, 'momentum must be in (0, 1)'),
        ({'momentum': '0.1'}, 'momentum must be a number'),
        ({'interval': 0}, 'interval must be a positive int'),
    ],
)
def test_invalid_arguments_are_config_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message.replace('(', r'\(').replace(')', r'\)')):
        ExponentialMovingAverage(_model(), **kwargs)
    with pytest.raises(ConfigError, match='gamma must be a positive number'):
        MomentumAnnealingEMA(_model(), gamma=0)


def test_a_large_momentum_warns_that_it_weighs_the_new_value(caplog):
    with caplog.at_level(logging.WARNING, logger='cadence'):
        ExponentialMovingAverage(_model(), momentum=0.9991)
    assert 'weight of the *new* value' in caplog.text
    assert 'momentum=0.0009' in caplog.text


def test_updating_from_another_model_is_an_error():
    ema = ExponentialMovingAverage(_model(), momentum=0.1)
    with pytest.raises(ConfigError, match='must get the model'):
        ema.update_parameters(nn.Linear(3, 4))
