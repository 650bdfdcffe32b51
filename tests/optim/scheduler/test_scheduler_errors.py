"""Every mistake a user can make in ``param_scheduler`` gets an error with the config key path,
the bad value and what would be valid (did-you-mean where it fits), before training starts."""

from __future__ import annotations

import re

import pytest
from scheduler_helpers import sgd

from cadence.config import Config
from cadence.errors import ConfigError
from cadence.optim.scheduler import build_param_schedulers


def error_for(cfg, **options):
    options.setdefault('epoch_length', 10)
    options.setdefault('max_epochs', 12)
    with pytest.raises(ConfigError) as info:
        build_param_schedulers(sgd(), cfg, **options)
    return info.value


def test_misspelled_type_suggests_the_right_one():
    err = error_for([dict(type='LinearLR', end=5), dict(type='CosineAnealingLR', T_max=10)])
    assert err.key_path == 'param_scheduler.1.type'
    assert "'CosineAnealingLR' is not in the parameter scheduler registry" in str(err)
    assert "Did you mean 'CosineAnnealingLR'" in str(err)


def test_misspelled_argument_suggests_the_right_one():
    err = error_for(dict(type='MultiStepLR', milestone=[8, 11]))
    assert err.key_path == 'param_scheduler'
    assert "unexpected argument 'milestone'. Did you mean 'milestones'?" in str(err)


def test_error_from_a_config_file_names_file_and_line(tmp_path):
    path = tmp_path / 'cfg.py'
    path.write_text(
        'param_scheduler = [\n'
        "    dict(type='LinearLR', start_factor=0.001, by_epoch=False, end=50),\n"
        "    dict(type='MultiStepLR', by_epoch=True, milestones=[8, 11.5], gamma=0.1),\n"
        ']\n'
    )
    cfg = Config.fromfile(path)
    err = error_for(cfg.param_scheduler)
    assert err.key_path == 'param_scheduler.1'
    assert 'MultiStepLR: milestones must be whole step numbers, got 11.5 in [8, 11.5]' in str(err)


@pytest.mark.parametrize(
    'cfg, path, message',
    [
        (dict(type='LinearLR', begin=5, end=5), 'param_scheduler',
         'LinearLR: end must be larger than begin (the scheduler acts on steps begin <= step < end), '
         'got begin=5, end=5'),
        (dict(type='LinearLR', begin=-1, end=5), 'param_scheduler', 'begin must be >= 0, got -1'),
        (dict(type='LinearLR', begin=0.5, end=5), 'param_scheduler',
         'fractional epochs are only meaningful with convert_to_iter_based=True'),
        (dict(type='MultiStepLR', milestones=[8.5, 11]), 'param_scheduler',
         'milestones must be whole step numbers, got 8.5'),
        (dict(type='MultiStepLR', milestones=8), 'param_scheduler', 'milestones must be a list'),
        (dict(type='LinearParamScheduler', param_name='weight_decy'), 'param_scheduler',
         "param_name 'weight_decy' is not a key of param group 0 of SGD"),
        (dict(type='LinearParamScheduler', param_name='weight_decy'), 'param_scheduler',
         "Did you mean 'weight_decay'?"),
        (dict(type='OneCycleLR', total_steps=100), 'param_scheduler',
         'eta_max (the peak value of the cycle, e.g. eta_max=0.1) is required'),
        (dict(type='OneCycleLR', eta_max=0.1, anneal_strategy='cosine'), 'param_scheduler',
         "Did you mean 'cos'?"),
        (dict(type='OneCycleLR', eta_max=0.1, pct_start=1.5), 'param_scheduler',
         'pct_start must be in [0, 1], got 1.5'),
        (dict(type='OneCycleLR', eta_max=[0.1, 0.2]), 'param_scheduler',
         'eta_max has 2 values, but the optimizer has 1 param groups'),
        (dict(type='StepLR', step_size=-2), 'param_scheduler', 'step_size must be >= 1, got -2'),
        (dict(type='StepLR', step_size=2, gamma=0), 'param_scheduler', 'gamma must be > 0, got 0'),
        (dict(type='ExponentialLR', gamma=-0.5), 'param_scheduler', 'gamma must be > 0'),
        (dict(type='ExponentialLR'), 'param_scheduler', "missing required argument 'gamma'"),
        (dict(type='ConstantLR', factor=1.5), 'param_scheduler', 'factor must be in [0, 1], got 1.5'),
        (dict(type='LinearLR', start_factor=-0.1), 'param_scheduler', 'start_factor must be in [0, 1]'),
        (dict(type='LinearLR', start_factor='0.1'), 'param_scheduler',
         "start_factor must be a number, got '0.1'"),
        (dict(type='CosineAnnealingLR', T_max=0), 'param_scheduler', 'T_max must be > 0, got 0'),
        (dict(type='CosineAnnealingLR', eta_min=0, eta_min_ratio=0.1), 'param_scheduler',
         'give eta_min or eta_min_ratio, not both'),
        (dict(type='PolyLR', power=-1), 'param_scheduler', 'power must be >= 0'),
        (dict(type='CosineRestartLR', periods=[5, 5]), 'param_scheduler',
         'give exactly one of eta_min (a value) or eta_min_ratio'),
        (dict(type='CosineRestartLR', periods=[5, 5], eta_min=0), 'param_scheduler',
         'restart_weights needs one weight per period: 2 periods, 1 weights'),
        (dict(type='CosineRestartLR', periods=[], eta_min=0), 'param_scheduler',
         'periods must be a non-empty list'),
        (dict(type='LinearLR', by_epoch='yes'), 'param_scheduler', "by_epoch must be True or False, got 'yes'"),
        (dict(type='LinearLR', by_epoch=False, convert_to_iter_based=True), 'param_scheduler',
         'by_epoch=False says the numbers are already iterations'),
        (dict(type='LinearLR', convert_to_iter_based='yes'), 'param_scheduler.convert_to_iter_based',
         "convert_to_iter_based must be True or False, got 'yes'"),
        (dict(type='CosineAnnealingLR', begin=12), 'param_scheduler.begin',
         'CosineAnnealingLR begins at 12, which is not before the end of training (12)'),
        (dict(type='LinearLR', last_step=-3), 'param_scheduler', 'last_step must be an int >= -1'),
        (dict(type='ReduceOnPlateauLR', convert_to_iter_based=True), 'param_scheduler',
         'convert_to_iter_based is not supported by ReduceOnPlateauLR'),
        ([dict(type='LinearLR'), 'CosineAnnealingLR'], 'param_scheduler.1',
         "expected a scheduler config (a dict with \"type\") or a scheduler, got str 'CosineAnnealingLR'"),
        ('MultiStepLR', 'param_scheduler', 'expected a scheduler config, a list of them'),
        ({'generator': [dict(type='LinearLR')]}, 'param_scheduler',
         'a dict without "type" gives schedulers per optimizer name'),
    ],
)  # fmt: skip
def test_argument_errors_name_path_value_and_valid_range(cfg, path, message):
    err = error_for(cfg)
    assert err.key_path == path
    assert message in str(err)


def test_convert_without_epoch_length():
    err = error_for(dict(type='LinearLR', convert_to_iter_based=True, end=2), epoch_length=None)
    assert 'convert_to_iter_based needs the number of iterations per epoch' in str(err)


def test_not_an_optimizer():
    with pytest.raises(ConfigError, match=re.escape('optimizer must be a torch.optim.Optimizer')):
        build_param_schedulers(object(), dict(type='LinearLR'))
