"""ReduceOnPlateau (reference §4.5): reacts to validation metrics, counts epochs for its window."""

from __future__ import annotations

import re

import pytest
from scheduler_helpers import PseudoGroupWrapper, adam, sgd

from cadence.errors import ConfigError
from cadence.optim.scheduler import (
    ReduceOnPlateauLR,
    ReduceOnPlateauMomentum,
    ReduceOnPlateauParamScheduler,
    build_param_schedulers,
    step_after_train_epoch,
    step_after_val_epoch,
)


def validations(scheduler, optimizer, metrics, key='lr'):
    out = []
    for metric in metrics:
        scheduler.step()  # after_train_epoch: counts the epoch
        scheduler.step({'acc': metric})
        out.append(optimizer.param_groups[0][key])
    return out


def test_trace_greater_patience_cooldown_min():
    """s10's rules: greater, patience 1, factor .5, cooldown 1, min .2, a constant metric.

    Each reduction needs two validations without improvement after the cooldown's one, so
    the lr halves every third validation until it is clamped at 0.2.
    """
    optimizer = sgd(lr=1.0)
    scheduler = ReduceOnPlateauLR(optimizer, monitor='acc', rule='greater', patience=1,
                                  factor=0.5, cooldown=1, min_value=0.2)  # fmt: skip
    lrs = validations(scheduler, optimizer, [0.7] * 12)
    assert lrs == pytest.approx([1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2])


def test_improvement_resets_patience():
    optimizer = sgd(lr=1.0)
    scheduler = ReduceOnPlateauLR(optimizer, monitor='acc', rule='greater', patience=2)
    lrs = validations(scheduler, optimizer, [0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7])
    assert lrs == pytest.approx([1, 1, 1, 1, 1, 1, 1, 0.1])


@pytest.mark.parametrize(
    'rule, threshold_rule, best, value, better',
    [
        ('less', 'rel', 1.0, 0.9999, False),
        ('less', 'rel', 1.0, 0.9998, True),
        ('less', 'abs', 1.0, 0.95, False),
        ('less', 'abs', 1.0, 0.89, True),
        ('greater', 'rel', 1.0, 1.00011, True),
        ('greater', 'abs', 1.0, 1.05, False),
    ],
)
def test_threshold_rules(rule, threshold_rule, best, value, better):
    threshold = 1e-4 if threshold_rule == 'rel' else 0.1
    optimizer = sgd(lr=1.0)
    scheduler = ReduceOnPlateauLR(optimizer, monitor='m', rule=rule, threshold=threshold,
                                  threshold_rule=threshold_rule, patience=0)  # fmt: skip
    scheduler.step({'m': best})
    scheduler.step({'m': value})
    assert (optimizer.param_groups[0]['lr'] == 1.0) is better


def test_window_counts_training_epochs():
    """Validation after epoch e sees _global_step = e + 1 (reference §5)."""
    optimizer = sgd(lr=1.0)
    scheduler = ReduceOnPlateauLR(optimizer, monitor='m', patience=0, begin=2, end=3)
    lrs = []
    for _ in range(4):
        step_after_train_epoch([scheduler])
        step_after_val_epoch([scheduler], {'m': 1.0})
        lrs.append(optimizer.param_groups[0]['lr'])
    # only the validation after the second epoch is inside [2, 3): the first one there sets best
    assert lrs == [1.0, 1.0, 1.0, 1.0]
    assert scheduler.last_step == 0
    step_after_val_epoch([scheduler], None)  # no metrics: nothing happens
    assert scheduler.last_step == 0


def test_min_value_per_group_and_pseudo_group():
    optimizer = sgd(groups=2, lr=1.0)
    wrapper = PseudoGroupWrapper(optimizer)
    scheduler = ReduceOnPlateauLR(
        wrapper, monitor='m', patience=0, factor=0.1, min_value=[0.5, 0.05]
    )
    assert scheduler.min_values == [0.5, 0.05, 0.05]
    scheduler.step({'m': 1.0})
    scheduler.step({'m': 1.0})
    assert [g['lr'] for g in wrapper.param_groups] == pytest.approx([0.5, 0.2, 0.1])


def test_eps_skips_tiny_reductions():
    optimizer = sgd(lr=1e-9)
    scheduler = ReduceOnPlateauLR(optimizer, monitor='m', patience=0)
    scheduler.step({'m': 1.0})
    scheduler.step({'m': 1.0})
    assert optimizer.param_groups[0]['lr'] == 1e-9


def test_momentum_variant_on_adam():
    optimizer = adam()
    scheduler = ReduceOnPlateauMomentum(optimizer, monitor='m', patience=0, factor=0.5)
    scheduler.step({'m': 1.0})
    scheduler.step({'m': 1.0})
    assert optimizer.param_groups[0]['betas'] == pytest.approx((0.45, 0.999))


def test_missing_metric_names_what_there_is():
    scheduler = ReduceOnPlateauLR(sgd(), monitor='los')
    with pytest.raises(KeyError) as info:
        scheduler.step({'loss': 1.0, 'accuracy/top1': 0.3})
    message = str(info.value)
    assert "monitors 'los'" in message and "Did you mean 'loss'?" in message
    assert isinstance(info.value, ConfigError)


def test_by_epoch_false_is_an_error():
    with pytest.raises(ConfigError, match='need by_epoch=True'):
        ReduceOnPlateauParamScheduler(sgd(), 'lr', by_epoch=False)


def test_convert_to_iter_based_is_an_error():
    with pytest.raises(ConfigError) as info:
        build_param_schedulers(
            sgd(), [dict(type='ReduceOnPlateauLR', convert_to_iter_based=True)], epoch_length=5,
            max_epochs=3,
        )  # fmt: skip
    assert info.value.key_path == 'param_scheduler.0'
    assert 'convert_to_iter_based is not supported by ReduceOnPlateauLR' in str(info.value)


@pytest.mark.parametrize(
    'kwargs, message',
    [
        (dict(factor=1.0), 'factor must be in (0, 1)'),
        (dict(rule='lower'), "rule must be one of 'less', 'greater'"),
        (dict(threshold_rule='relative'), "Did you mean 'rel'?"),
        (dict(threshold=-1), 'threshold must be >= 0'),
        (dict(patience=1.5), 'patience must be a whole number'),
        (dict(min_value=[0.1, 0.2, 0.3]), 'min_value has 3 values, but the optimizer has 1'),
    ],
)
def test_argument_errors(kwargs, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        ReduceOnPlateauLR(sgd(), **kwargs)
