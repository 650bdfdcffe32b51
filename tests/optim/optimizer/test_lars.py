"""LARS against the formula of the reference (behaviour §3.3), written out by hand."""

from __future__ import annotations

import math

import pytest
import torch

from cadence.errors import ConfigError
from cadence.optim import LARS, build_optim_wrapper


def formula_steps(weights, grads_per_step, lr, momentum, weight_decay, dampening, eta, nesterov,
                  eps, exclude=False):  # fmt: skip
    """Plain-Python LARS on one parameter (lists of floats), one entry of grads per step."""
    p = list(weights)
    buf = None
    for g in grads_per_step:
        wn = math.sqrt(sum(x * x for x in p))
        gn = math.sqrt(sum(x * x for x in g))
        if exclude or wn == 0 or gn == 0:
            local_lr = 1.0
        else:
            local_lr = eta * wn / (gn + weight_decay * wn + eps)
        d = [(gi + weight_decay * pi) * local_lr * lr for gi, pi in zip(g, p)]
        if momentum:
            if buf is None:
                buf = list(d)
            else:
                buf = [momentum * b + (1 - dampening) * di for b, di in zip(buf, d)]
            d = [di + momentum * b for di, b in zip(d, buf)] if nesterov else list(buf)
        p = [pi - di for pi, di in zip(p, d)]
    return p


GRADS = [[0.5, -1.0, 2.0], [0.1, 0.3, -0.2], [-1.5, 0.0, 0.25]]
WEIGHTS = [1.0, -2.0, 0.5]


@pytest.mark.parametrize(
    'settings',
    [
        dict(lr=0.1, momentum=0.0, weight_decay=0.0, dampening=0.0, eta=0.001, nesterov=False),
        dict(lr=0.5, momentum=0.9, weight_decay=1e-2, dampening=0.0, eta=0.02, nesterov=False),
        dict(lr=0.5, momentum=0.9, weight_decay=1e-2, dampening=0.1, eta=0.02, nesterov=False),
        dict(lr=0.3, momentum=0.8, weight_decay=5e-3, dampening=0.0, eta=0.05, nesterov=True),
    ],
)
@pytest.mark.parametrize('exclude', [False, True])
def test_lars_matches_the_formula(settings, exclude):
    param = torch.nn.Parameter(torch.tensor(WEIGHTS, dtype=torch.float64))
    group = {'params': [param], 'lars_exclude': exclude}
    optimizer = LARS([group], **settings)
    for grad in GRADS:
        param.grad = torch.tensor(grad, dtype=torch.float64)
        optimizer.step()
    expected = formula_steps(WEIGHTS, GRADS, eps=1e-8, exclude=exclude, **settings)
    assert param.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_zero_weights_or_gradients_use_local_lr_one():
    param = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    optimizer = LARS([param], lr=0.1, eta=0.001)
    param.grad = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    optimizer.step()
    assert param.tolist() == pytest.approx([-0.1, -0.2, -0.3])


def test_eps_is_an_attribute_of_the_optimizer_not_of_groups():
    optimizer = LARS([torch.nn.Parameter(torch.ones(2))], lr=0.1, eps=1e-6)
    assert optimizer.eps == 1e-6
    assert 'eps' not in optimizer.param_groups[0]
    assert optimizer.param_groups[0]['eta'] == 0.001


def test_lars_exclude_through_custom_keys():
    model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.BatchNorm1d(3))
    wrapper = build_optim_wrapper(
        model,
        dict(
            optimizer=dict(type='LARS', lr=1.0, momentum=0.9, weight_decay=1e-6),
            paramwise_cfg=dict(
                custom_keys={
                    '1.': dict(decay_mult=0, lars_exclude=True),
                    'bias': dict(decay_mult=0, lars_exclude=True),
                }
            ),
        ),
    )
    flags = {
        name: group.get('lars_exclude', False)
        for group in wrapper.optimizer.param_groups
        for name, p in model.named_parameters()
        if any(p is q for q in group['params'])
    }
    assert flags == {'0.weight': False, '0.bias': True, '1.weight': True, '1.bias': True}


def test_lars_needs_momentum_for_nesterov_and_valid_numbers():
    params = [torch.nn.Parameter(torch.ones(2))]
    with pytest.raises(ConfigError, match='nesterov'):
        LARS(params, lr=0.1, nesterov=True)
    with pytest.raises(ConfigError, match='weight_decay'):
        LARS(params, lr=0.1, weight_decay=-1)
    with pytest.raises(ConfigError, match='lr'):
        LARS(params, lr='fast')


def test_lars_step_does_not_synchronise(count_host_syncs):
    param = torch.nn.Parameter(torch.ones(4))
    optimizer = LARS([param], lr=0.1, momentum=0.9, weight_decay=1e-4)
    param.grad = torch.ones(4)
    with count_host_syncs() as counter:
        optimizer.step()
        optimizer.step()
    assert counter.count == 0
