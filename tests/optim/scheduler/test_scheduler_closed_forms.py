"""Each scheduler class, acting alone, follows its closed form (reference §4.3).

The formulas are written out here by hand from §4.3 (not taken from the package); the verified
sequences of §4.3 (s1) are checked digit for digit. Each class is stepped through its window and
past its end (where the value must freeze), and ``value_at`` (no stepping) must agree.
"""

from __future__ import annotations

import math

import pytest
from scheduler_helpers import sgd

from cadence.optim.scheduler import (
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingParamScheduler,
    CosineAnnealingWeightDecay,
    CosineRestartLR,
    ExponentialLR,
    LinearLR,
    LinearParamScheduler,
    MultiStepLR,
    OneCycleLR,
    PolyLR,
    PolyMomentum,
    StepLR,
)


def run(scheduler, optimizer, steps: int, key: str = 'lr', group: int = 0) -> list[float]:
    values = []
    for _ in range(steps):
        values.append(optimizer.param_groups[group][key])
        scheduler.step()
    return values


def frozen_after(end: int, formula):
    """Values of a window ``[0, end)`` that freezes at its last step."""
    return lambda t: formula(min(t, end - 1))


B = 0.1  # base value used throughout


CASES = {
    'constant': (
        lambda o: ConstantLR(o, factor=0.4, end=6),
        frozen_after(6, lambda t: B * 0.4 if t < 5 else B),
    ),
    'linear': (
        lambda o: LinearLR(o, start_factor=0.2, end_factor=0.9, end=8),
        frozen_after(8, lambda t: B * (0.2 + (0.9 - 0.2) * t / 7)),
    ),
    'step': (
        lambda o: StepLR(o, step_size=3, gamma=0.5, end=11),
        frozen_after(11, lambda t: B * 0.5 ** (t // 3)),
    ),
    'multistep (repeated milestone)': (
        lambda o: MultiStepLR(o, milestones=[2, 5, 5], gamma=0.5),
        lambda t: B * 0.5 ** sum(1 for m in (2, 5, 5) if m <= t),
    ),
    'exponential': (
        lambda o: ExponentialLR(o, gamma=0.9, end=9),
        frozen_after(9, lambda t: B * 0.9**t),
    ),
    'cosine': (
        lambda o: CosineAnnealingLR(o, T_max=7, eta_min=0.01, end=8),
        frozen_after(8, lambda t: 0.01 + (B - 0.01) * (1 + math.cos(math.pi * t / 7)) / 2),
    ),
    'cosine, eta_min_ratio': (
        lambda o: CosineAnnealingLR(o, eta_min_ratio=0.1, end=10),
        frozen_after(10, lambda t: B * 0.1 + (B - B * 0.1) * (1 + math.cos(math.pi * t / 10)) / 2),
    ),
    'poly': (
        lambda o: PolyLR(o, eta_min=0.001, power=2.0, end=6),
        frozen_after(6, lambda t: 0.001 + (B - 0.001) * (1 - t / 5) ** 2),
    ),
}


@pytest.mark.parametrize('name', list(CASES))
def test_class_follows_its_closed_form(name):
    build, formula = CASES[name]
    optimizer = sgd()
    scheduler = build(optimizer)
    values = run(scheduler, optimizer, 16)
    expected = [formula(t) for t in range(16)]
    assert values == pytest.approx(expected, rel=1e-12)
    for step in range(16):
        assert scheduler.value_at(step)[0] == pytest.approx(expected[step], rel=1e-12)


@pytest.mark.parametrize(
    'build, expected',
    [
        (
            lambda o: LinearLR(o, start_factor=0.001, end=5),
            [1e-4, 0.025075, 0.05005, 0.075025, 0.1, 0.1],
        ),
        (lambda o: ConstantLR(o, 0.5, end=3), [0.05, 0.05, 0.1, 0.1]),
        (lambda o: StepLR(o, 2, 0.5, begin=3), [0.1] * 5 + [0.05, 0.05, 0.025, 0.025]),
        (lambda o: CosineAnnealingLR(o, end=4), [0.1, 0.0854, 0.05, 0.0146, 0.0146, 0.0146]),
        (
            lambda o: CosineAnnealingLR(o, T_max=4),
            [0.1, 0.0854, 0.05, 0.0146, 0.0, 0.0146, 0.05, 0.0854, 0.1],
        ),
        (lambda o: PolyLR(o, end=5), [0.1, 0.075, 0.05, 0.025, 0, 0]),
        (
            lambda o: OneCycleLR(o, eta_max=1, total_steps=10),
            [0.04, 0.52, 1.0, 0.9505, 0.8117, 0.6113, 0.3887, 0.1883, 0.0495, 4e-6],
        ),
        (
            lambda o: CosineRestartLR(o, periods=[3, 4], restart_weights=[1, 0.5], eta_min=0),
            [0.1, 0.075, 0.025, 0.05, 0.0427, 0.025, 0.0073, 0.0073, 0.0073],
        ),
    ],
    ids=[
        'linear',
        'constant',
        'step begin=3',
        'cosine end=4',
        'cosine T_max=4',
        'poly',
        'onecycle',
        'restart',
    ],
)
def test_verified_sequences_4_3(build, expected):
    optimizer = sgd()
    values = run(build(optimizer), optimizer, len(expected))
    assert values == pytest.approx(expected, abs=5e-5)


def test_multistep_milestones_count_from_begin():
    """§4.3: MultiStepLR([2, 4], begin=3) decays at global steps 5 and 7."""
    optimizer = sgd()
    values = run(MultiStepLR(optimizer, milestones=[2, 4], begin=3), optimizer, 9)
    assert values == pytest.approx([0.1] * 5 + [0.01] * 2 + [0.001] * 2)


def test_cosine_never_reaches_eta_min_with_default_t_max():
    """Reference quirk kept: T_max = end - begin, the last step is end - begin - 1."""
    optimizer = sgd()
    values = run(CosineAnnealingLR(optimizer, eta_min=0.0, end=4), optimizer, 6)
    assert values[-1] == pytest.approx(0.1 * (1 + math.cos(3 * math.pi / 4)) / 2)
    assert values[-1] > 0


def test_cosine_restart_freezes_after_last_period():
    optimizer = sgd()
    scheduler = CosineRestartLR(
        optimizer, periods=[2, 2], restart_weights=[1, 1], eta_min_ratio=0.5
    )
    values = run(scheduler, optimizer, 8)
    eta = 0.05
    assert values[:4] == pytest.approx([0.1, eta + 0.05 * 0.5, 0.1, eta + 0.05 * 0.5])
    assert values[4:] == pytest.approx([values[3]] * 4)


def test_one_cycle_three_phase_and_linear():
    optimizer = sgd()
    scheduler = OneCycleLR(optimizer, eta_max=1.0, total_steps=10, pct_start=0.3,
                           anneal_strategy='linear', three_phase=True)  # fmt: skip
    values = run(scheduler, optimizer, 12)
    initial, minimum = 1 / 25, 1 / 25 / 1e4
    # phases end at steps 2 (peak), 4 (back to initial) and 9 (minimum)
    assert values[0] == pytest.approx(initial)
    assert values[1] == pytest.approx(initial + (1 - initial) / 2)
    assert values[2] == pytest.approx(1.0)
    assert values[3] == pytest.approx(1 - (1 - initial) / 2)
    assert values[4] == pytest.approx(initial)
    assert values[9] == pytest.approx(minimum)
    assert values[10:] == pytest.approx([minimum] * 2)


def test_one_cycle_per_group_eta_max():
    optimizer = sgd(groups=2)
    OneCycleLR(optimizer, eta_max=[1.0, 2.0], total_steps=10)
    assert [g['lr'] for g in optimizer.param_groups] == pytest.approx([0.04, 0.08])


def test_generic_scheduler_on_any_param_group_key():
    optimizer = sgd(weight_decay=1e-3)
    scheduler = LinearParamScheduler(optimizer, 'weight_decay', start_factor=0.1, end=3)
    assert run(scheduler, optimizer, 4, key='weight_decay') == pytest.approx(
        [1e-4, 5.5e-4, 1e-3, 1e-3]
    )
    assert optimizer.param_groups[0]['lr'] == 0.1


def test_cosine_weight_decay_keeps_zero_groups_at_zero():
    optimizer = sgd(groups=2, weight_decay=0.05)
    optimizer.param_groups[1]['weight_decay'] = 0.0
    scheduler = CosineAnnealingWeightDecay(optimizer, T_max=4, eta_min=0.01, end=5)
    first = run(scheduler, optimizer, 5, key='weight_decay', group=0)
    assert first == pytest.approx(
        [0.01 + 0.04 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(5)]
    )
    assert [optimizer.param_groups[1]['weight_decay']] == [0.0]


def test_poly_momentum_and_every_group():
    optimizer = sgd(groups=3)
    PolyMomentum(optimizer, eta_min=0.5, power=1.0, end=3).step()
    assert [g['momentum'] for g in optimizer.param_groups] == pytest.approx([0.7] * 3)


def test_value_at_does_not_step():
    optimizer = sgd()
    scheduler = CosineAnnealingParamScheduler(optimizer, 'lr', T_max=10, end=10)
    assert scheduler.value_at(5)[0] == pytest.approx(0.05)
    assert scheduler.last_step == 0
    assert optimizer.param_groups[0]['lr'] == 0.1


def test_value_at_keeps_zero_weight_decay_groups_at_zero():
    optimizer = sgd(groups=2, weight_decay=0.05)
    optimizer.param_groups[1]['weight_decay'] = 0.0
    scheduler = CosineAnnealingWeightDecay(optimizer, eta_min=0.01, end=5)
    assert scheduler.value_at(3)[1] == 0.0
    assert scheduler.value_at(3)[0] == pytest.approx(
        0.01 + 0.04 * (1 + math.cos(3 * math.pi / 5)) / 2
    )
