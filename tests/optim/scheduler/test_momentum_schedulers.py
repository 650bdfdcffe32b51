"""Momentum schedulers (reference §4.4): ``momentum`` for SGD-like optimizers, ``betas[0]`` for
the Adam family; errors for optimizers with neither."""

from __future__ import annotations

import math

import pytest
import torch
from scheduler_helpers import PseudoGroupWrapper, adam, sgd, trace

from cadence.errors import ConfigError
from cadence.optim.scheduler import (
    ConstantMomentum,
    CosineAnnealingMomentum,
    CosineRestartMomentum,
    ExponentialMomentum,
    LinearMomentum,
    LinearParamScheduler,
    MultiStepMomentum,
    PolyMomentum,
    StepMomentum,
)


def test_adam_betas_example_s10():
    """§4.4: LinearMomentum(Adam(betas=(.9, .999)), start_factor=.5, end=3)."""
    optimizer = adam()
    betas = trace(LinearMomentum(optimizer, start_factor=0.5, end=3), optimizer, 4, 'betas')
    assert [b[0] for b in betas] == pytest.approx([0.45, 0.675, 0.9, 0.9])
    assert all(b[1] == 0.999 for b in betas)
    assert 'momentum' not in optimizer.param_groups[0]
    assert optimizer.param_groups[0]['initial_momentum'] == 0.9


def test_adam_betas_reach_the_optimizer_step():
    """The scheduled beta1 is what Adam uses: compare one step with a hand-built Adam."""
    param = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    optimizer = torch.optim.Adam([param], lr=0.1, betas=(0.9, 0.999))
    CosineAnnealingMomentum(optimizer, T_max=2, eta_min=0.5, end=3).step()  # beta1 -> 0.7
    reference = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    by_hand = torch.optim.Adam([reference], lr=0.1, betas=(0.7, 0.999))
    for p, opt in ((param, optimizer), (reference, by_hand)):
        p.grad = torch.tensor([0.3, 0.1])
        opt.step()
    assert torch.equal(param, reference)


def test_sgd_momentum_and_wrapper_pseudo_group():
    optimizer = sgd(groups=2)
    wrapper = PseudoGroupWrapper(optimizer)
    StepMomentum(wrapper, step_size=1, gamma=0.5).step()
    assert [g['momentum'] for g in wrapper.param_groups] == pytest.approx([0.45] * 3)


@pytest.mark.parametrize(
    'build, expected',
    [
        (lambda o: ConstantMomentum(o, factor=0.5, end=3), 0.45),
        (lambda o: ExponentialMomentum(o, gamma=0.5), 0.45),
        (lambda o: MultiStepMomentum(o, milestones=[1], gamma=0.5), 0.45),
        (lambda o: PolyMomentum(o, eta_min=0.5, end=3), 0.7),
        (lambda o: CosineRestartMomentum(o, periods=[2], eta_min=0.5), 0.7),
    ],
)
def test_every_momentum_family_drives_betas(build, expected):
    optimizer = adam()
    build(optimizer).step()
    assert optimizer.param_groups[0]['betas'][0] == pytest.approx(expected)
    assert math.isclose(optimizer.param_groups[0]['betas'][1], 0.999)


def test_optimizer_without_momentum_is_an_error():
    optimizer = torch.optim.Adagrad([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(ConfigError, match='has neither'):
        LinearMomentum(optimizer)


def test_generic_scheduler_on_momentum_of_adam_points_to_momentum_classes():
    with pytest.raises(ConfigError) as info:
        LinearParamScheduler(adam(), 'momentum')
    assert "param_name 'momentum' is not a key of param group 0 of Adam" in str(info.value)
    assert 'use a Momentum scheduler' in str(info.value)


def test_passing_param_name_to_a_fixed_class_is_an_error():
    with pytest.raises(TypeError):
        LinearMomentum(sgd(), param_name='lr')
