"""Findings: exceptions become errors with their key path; a mistake seen again by a later
check is reported once; logged warnings are captured with the key path they start with."""

from __future__ import annotations

import warnings

from cadence.config import Config
from cadence.errors import ConfigError, with_key_path
from cadence.logging import get_logger
from cadence.runner.check.findings import Findings, capture_warnings, split_exception


def test_exceptions_split_into_key_path_and_message():
    assert split_exception(ConfigError('bad value', 'a.b')) == ('a.b', 'bad value')
    built = with_key_path(ValueError('Invalid lr: -1'), 'optim_wrapper.optimizer', 'SGD')
    assert split_exception(built) == (
        'optim_wrapper.optimizer',
        '(SGD): ValueError: Invalid lr: -1',
    )
    assert split_exception(KeyError('x')) == (None, "KeyError: 'x'")


def test_a_later_check_does_not_repeat_an_error_at_the_same_key_path():
    cfg = Config({'train_cfg': {'max_epoch': 3}})
    findings = Findings(cfg.provenance)
    findings.check = 'static'
    findings.error('unknown key max_epoch', 'train_cfg')
    findings.error('another problem there', 'train_cfg')  # same check: kept
    findings.check = 'build'
    findings.error('the loop says the same in other words', 'train_cfg')
    findings.error('unknown key max_epoch', 'train_cfg')
    findings.warning('a warning there is kept', 'train_cfg')
    assert [(f.severity, f.message) for f in findings.items] == [
        ('error', 'unknown key max_epoch'),
        ('error', 'another problem there'),
        ('warning', 'a warning there is kept'),
    ]
    assert findings.items[0].location == 'Config(dict)'
    assert findings.has_error_under('train_cfg') and not findings.has_error_under('train')


def test_catching_records_the_error_and_continues():
    findings = Findings()
    with findings.catching():
        raise ConfigError('no', 'model')
    with findings.catching():
        raise RuntimeError('boom')
    assert [(f.key_path, f.message) for f in findings.errors] == [
        ('model', 'no'),
        (None, 'RuntimeError: boom'),
    ]


def test_logged_warnings_are_captured_once_with_their_key_path():
    logger = get_logger()
    handlers, propagate = logger.handlers[:], logger.propagate
    findings = Findings()
    cfg = {'param_scheduler': [], 'custom_hooks': []}
    with capture_warnings(findings, cfg, key_path='fallback'):
        get_logger('cadence.optim.scheduler').warning('param_scheduler.1: milestones %s', [9])
        logger.warning('custom_hooks.0: X.before_iter is not a hook stage')
        logger.warning('The model has BatchNorm layers')
        logger.info('not a warning')
        warnings.warn('from outside Cadence', UserWarning, stacklevel=1)
    assert [(f.key_path, f.message) for f in findings.warnings] == [
        ('param_scheduler.1', 'milestones [9]'),
        ('custom_hooks.0', 'X.before_iter is not a hook stage'),
        ('fallback', 'The model has BatchNorm layers'),
    ]
    assert logger.handlers == handlers and logger.propagate is propagate
