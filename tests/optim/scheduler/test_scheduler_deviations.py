"""The deliberate deviations from the reference (DESIGN 1-3, §9.5-7, §9.18).

Resume (DESIGN 4) has its own module, ``test_resume.py``.
"""

from __future__ import annotations

import pytest
from scheduler_helpers import drive, sgd, trace

from cadence.errors import ConfigError
from cadence.optim.scheduler import (
    ConstantLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    OneCycleLR,
    StepLR,
    build_param_schedulers,
)

# -- DESIGN 1: zero factors work (closed forms, no division) ---------------------------------


def test_warmup_from_zero():
    optimizer = sgd()
    values = trace(LinearLR(optimizer, start_factor=0.0, end=5), optimizer, 7)
    assert values == pytest.approx([0.0, 0.025, 0.05, 0.075, 0.1, 0.1, 0.1], abs=1e-15)
    assert values[0] == 0.0


def test_constant_factor_zero():
    optimizer = sgd()
    values = trace(ConstantLR(optimizer, factor=0.0, end=4), optimizer, 6)
    assert values == [0.0, 0.0, 0.0, 0.1, 0.1, 0.1]


def test_zero_warmup_overlapping_an_epoch_scheduler_multiplies():
    optimizer = sgd()
    schedulers = build_param_schedulers(
        optimizer,
        [dict(type='LinearLR', start_factor=0.0, by_epoch=False, end=8),
         dict(type='MultiStepLR', milestones=[1], gamma=0.5)],
        epoch_length=4, max_epochs=3, max_iters=12,
    )  # fmt: skip
    lr = [row[0] for row in drive(schedulers, optimizer, 12, 4)['lr']]
    expected = [0.1 * min(i, 7) / 7 * (0.5 if i >= 4 else 1.0) for i in range(12)]
    assert lr == pytest.approx(expected, abs=1e-15)


# -- DESIGN 2: ExponentialLR converted to iterations follows the epoch curve -----------------


def test_converted_exponential_decays_by_gamma_per_epoch():
    optimizer = sgd()
    schedulers = build_param_schedulers(
        optimizer,
        dict(type='ExponentialLR', gamma=0.5, convert_to_iter_based=True),
        epoch_length=4, max_epochs=5,
    )  # fmt: skip
    lr = [row[0] for row in drive(schedulers, optimizer, 20, 4)['lr']]
    for iteration in range(20):
        assert lr[iteration] == pytest.approx(0.1 * 0.5 ** (iteration / 4), rel=1e-12)
    assert lr[8] == pytest.approx(0.1 * 0.25, rel=1e-12)
    assert schedulers[0].gamma == pytest.approx(0.5**0.25)


def test_build_iter_from_epoch_by_hand():
    optimizer = sgd()
    scheduler = ExponentialLR.build_iter_from_epoch(optimizer, gamma=0.81, epoch_length=2)
    assert not scheduler.by_epoch
    scheduler.step()
    scheduler.step()
    assert optimizer.param_groups[0]['lr'] == pytest.approx(0.1 * 0.81)


# -- DESIGN 3: an epoch-based scheduler in iteration-based training is an error -----------------


def test_epoch_scheduler_in_iteration_training_is_an_error():
    with pytest.raises(ConfigError) as info:
        build_param_schedulers(
            sgd(),
            [dict(type='LinearLR', by_epoch=False, end=10),
             dict(type='MultiStepLR', milestones=[2], gamma=0.1)],
            epoch_length=10, max_iters=100, train_by_epoch=False,
        )  # fmt: skip
    message = str(info.value)
    assert info.value.key_path == 'param_scheduler.1'
    assert 'MultiStepLR is epoch-based' in message
    assert 'by_epoch=False' in message and 'convert_to_iter_based=True' in message


def test_built_epoch_scheduler_in_iteration_training_is_an_error():
    optimizer = sgd()
    with pytest.raises(ConfigError, match='StepLR is epoch-based'):
        build_param_schedulers(
            optimizer, [StepLR(optimizer, 2)], max_iters=10, train_by_epoch=False
        )


def test_converted_scheduler_in_iteration_training_ends_with_training():
    """The reference gives it end = max_epochs = 1 epoch; here it spans max_iters."""
    optimizer = sgd()
    schedulers = build_param_schedulers(
        optimizer,
        dict(type='CosineAnnealingLR', by_epoch=True, convert_to_iter_based=True),
        epoch_length=7, max_iters=100, train_by_epoch=False,
    )  # fmt: skip
    assert (schedulers[0].begin, schedulers[0].end, schedulers[0].by_epoch) == (0, 100, False)
    assert schedulers[0].T_max == 100


def test_plateau_is_allowed_in_iteration_training():
    optimizer = sgd()
    schedulers = build_param_schedulers(
        optimizer, dict(type='ReduceOnPlateauLR', patience=0), max_iters=10, train_by_epoch=False
    )
    assert schedulers[0].end > 10


# -- §9.5: converted milestones are whole iterations ---------------------------------------


def test_converted_fractional_milestone_must_land_on_an_iteration():
    optimizer = sgd()
    scheduler = MultiStepLR.build_iter_from_epoch(optimizer, milestones=[1.5], epoch_length=4)
    assert scheduler.milestones == [6]
    with pytest.raises(ConfigError, match=r'1.5 epochs x 3 iterations per epoch = 4.5'):
        MultiStepLR.build_iter_from_epoch(sgd(), milestones=[1.5], epoch_length=3)


def test_fractional_begin_end_convert_like_the_reference():
    """s11: begin=0.5, end=1.5, epoch_length=4 -> iterations 2..6."""
    scheduler = LinearLR.build_iter_from_epoch(sgd(), begin=0.5, end=1.5, epoch_length=4)
    assert (scheduler.begin, scheduler.end) == (2, 6)


# -- §9.7: last_step keeps the begin/end window ----------------------------------------------


def test_last_step_resumes_inside_the_window():
    optimizer = sgd()
    optimizer.param_groups[0]['initial_lr'] = 0.1
    scheduler = StepLR(optimizer, step_size=1, gamma=0.5, end=5, last_step=2)
    values = trace(scheduler, optimizer, 5)
    # constructed at local step 3 (0.1 * 0.5**3); steps 4 is the last of the window [0, 5)
    assert values == pytest.approx([0.0125, 0.00625, 0.00625, 0.00625, 0.00625])


def test_last_step_needs_initial_values():
    with pytest.raises(ConfigError, match="no 'initial_lr'"):
        StepLR(sgd(), step_size=1, last_step=3)


# -- §9.18: OneCycle leaves the param groups alone -------------------------------------------


def test_one_cycle_has_no_side_effects_on_other_schedulers():
    optimizer = sgd(lr=0.3)
    keys_before = set(optimizer.param_groups[0])
    OneCycleLR(optimizer, eta_max=1.0, total_steps=10)
    assert set(optimizer.param_groups[0]) == keys_before | {'initial_lr'}
    assert optimizer.param_groups[0]['initial_lr'] == 0.3  # the reference writes eta_max / 25
    later = LinearLR(optimizer, start_factor=0.5, begin=20, end=30)
    assert later.base_values == [0.3]


def test_one_cycle_holds_after_total_steps():
    optimizer = sgd()
    scheduler = OneCycleLR(optimizer, eta_max=1.0, total_steps=5, pct_start=1)
    for _ in range(20):  # the reference raises 'Tried to step 7 times' here
        scheduler.step()
    assert optimizer.param_groups[0]['lr'] == pytest.approx(1.0)


def test_one_cycle_needs_a_length():
    with pytest.raises(ConfigError, match='set total_steps, or end'):
        OneCycleLR(sgd(), eta_max=1.0)
