"""EarlyStoppingHook: the reference's decision rule (improvement by at least min_delta,
patience, stopping threshold, non-finite values), rule inference like CheckpointHook's
save_best, and real short runs that stop early in both loop kinds and resume exactly."""

from __future__ import annotations

import logging
import math

import pytest

from cadence.errors import ConfigError
from cadence.hooks import EarlyStoppingHook, Hook
from cadence.hooks.early_stopping_hook import improved
from cadence.runner import Runner, load_checkpoint_file
from support.runs import digits_cfg, iter_cfg, train


def test_improvement_needs_at_least_min_delta():
    assert improved(1.1, 1.0, 'greater', 0.1)  # exactly min_delta counts
    assert not improved(1.09, 1.0, 'greater', 0.1)
    assert improved(0.9, 1.0, 'less', 0.1)
    assert not improved(0.95, 1.0, 'less', 0.1)
    assert improved(-5.0, -math.inf, 'greater', 0.1)
    assert improved(1e9, math.inf, 'less', 0.1)


def test_patience_counts_validations_without_improvement():
    hook = EarlyStoppingHook('accuracy/top1', min_delta=1.0, patience=3)
    decisions = [hook.check(v)[0] for v in (50.0, 52.0, 52.5, 52.9, 52.0)]
    # 50 best; 52 improves by 2; 52.5 and 52.9 by < 1 from 52 (waits 1, 2); 52 waits 3 -> stop
    assert decisions == [False, False, False, False, True]
    assert hook.best_score == 52.0 and hook.wait_count == 3


def test_an_improvement_resets_the_wait():
    hook = EarlyStoppingHook('loss', patience=2, min_delta=0.0)
    assert hook.rule == 'less'
    assert [hook.check(v)[0] for v in (1.0, 1.2, 0.9, 1.0, 1.0)] == [
        False,
        False,
        False,
        False,
        True,
    ]


def test_stopping_threshold_and_non_finite_values_stop_at_once():
    hook = EarlyStoppingHook('accuracy/top1', stopping_threshold=90.0)
    assert hook.check(80.0)[0] is False
    stop, reason = hook.check(91.0)
    assert stop and 'stopping threshold' in reason and hook.best_score == 91.0
    hook = EarlyStoppingHook('loss', stopping_threshold=0.5)
    assert hook.check(0.5)[0] is False  # "better than", strictly
    assert hook.check(0.4)[0] is True
    stop, reason = EarlyStoppingHook('loss').check(math.nan)
    assert stop and 'not finite' in reason
    assert EarlyStoppingHook('loss', check_finite=False).check(math.inf)[0] is False


@pytest.mark.parametrize(
    'monitor, rule',
    [('accuracy/top1', 'greater'), ('mAP', 'greater'), ('val_loss', 'less'), ('AUC', 'greater')],
)
def test_the_rule_is_inferred_from_the_name(monitor, rule):
    assert EarlyStoppingHook(monitor).rule == rule


@pytest.mark.parametrize(
    'kwargs, message',
    [
        ({'monitor': 'f1'}, "cannot tell whether a higher or lower 'f1' is better"),
        ({'monitor': 'acc', 'rule': 'more'}, "rule must be 'greater' or 'less'"),
        ({'monitor': 'acc', 'patience': 0}, 'patience must be a positive int'),
        ({'monitor': 'acc', 'min_delta': -1}, 'min_delta must be a number >= 0'),
        ({}, "missing required argument 'monitor'"),
    ],
)
def test_config_mistakes_name_the_hook(tmp_path, kwargs, message):
    cfg = digits_cfg(tmp_path, custom_hooks=[{'type': 'EarlyStoppingHook', **kwargs}])
    with pytest.raises(ConfigError, match='custom_hooks.0') as info:
        Runner.from_cfg(cfg)
    assert message in str(info.value)


def _stopping_cfg(tmp_path, factory=digits_cfg, **hook):
    cfg = factory(tmp_path, log_level='INFO')
    cfg['custom_hooks'] = [{'type': 'EarlyStoppingHook', 'monitor': 'accuracy/top1', **hook}]
    return cfg


class ValCounter(Hook):
    def __init__(self):
        self.values = []

    def after_val_epoch(self, runner, metrics=None):
        self.values.append(metrics['accuracy/top1'])


def test_an_epoch_based_run_stops_after_patience_runs_out(tmp_path, caplog):
    # nothing can improve by 1000 points: validations 2 and 3 wait, the run stops after epoch 3
    cfg = _stopping_cfg(tmp_path, min_delta=1000.0, patience=2)
    cfg['train_cfg'] = {'by_epoch': True, 'max_epochs': 10}
    counter = ValCounter()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(counter)
    with caplog.at_level(logging.INFO, logger='cadence'):
        runner.train()
    assert runner.epoch == 3 and runner.iter == 18
    assert len(counter.values) == 3
    assert runner.train_loop.stop_training is True
    assert 'Early stopping: accuracy/top1' in caplog.text
    assert '2 of 2 validations without improvement' in caplog.text


def test_an_iteration_based_run_stops_right_after_the_validation(tmp_path):
    cfg = _stopping_cfg(tmp_path, factory=iter_cfg, stopping_threshold=0.0)
    cfg['train_cfg'] = {'by_epoch': False, 'max_iters': 40, 'val_interval': 5}
    runner = train(cfg)
    assert runner.iter == 5  # the first validation is above 0% accuracy


def test_a_missing_metric_warns_once_or_fails_when_strict(tmp_path, caplog):
    cfg = _stopping_cfg(tmp_path, patience=1)
    cfg['custom_hooks'][0]['monitor'] = 'accuracy/top_1'
    with caplog.at_level(logging.WARNING, logger='cadence'):
        runner = train(cfg)
    assert runner.epoch == 3  # never stops
    assert caplog.text.count("have no 'accuracy/top_1'") == 1
    assert "Did you mean 'accuracy/top1'?" in caplog.text
    cfg = _stopping_cfg(tmp_path / 'strict', strict=True)
    cfg['custom_hooks'][0]['monitor'] = 'accuracy/top_1'
    with pytest.raises(ConfigError, match="Did you mean 'accuracy/top1'"):
        train(cfg)


def test_the_wait_survives_a_resume(tmp_path):
    cfg = _stopping_cfg(tmp_path / 'straight', min_delta=1000.0, patience=3)
    cfg['train_cfg'] = {'by_epoch': True, 'max_epochs': 10, 'val_interval': 1}
    straight = train(cfg)
    assert straight.epoch == 4  # validation 1 is the best, 2-4 wait
    checkpoint = str(tmp_path / 'straight' / 'epoch_3.pth')
    saved = load_checkpoint_file(checkpoint)['train_state']['hooks']['EarlyStoppingHook']
    # CheckpointHook writes epoch_3 once validation 3 and its hooks are done
    assert saved['wait_count'] == 2 and saved['best_score'] > 0
    resumed = train(
        dict(cfg, work_dir=str(tmp_path / 'resumed'), resume=True, load_from=checkpoint)
    )
    hook = next(h for h in resumed.hooks if isinstance(h, EarlyStoppingHook))
    # the wait continues from 2 (a fresh hook would have waited until epoch 7), so the resumed
    # run stops after the same epoch as the uninterrupted one
    assert hook.wait_count == 3 and hook.best_score == saved['best_score']
    assert resumed.epoch == straight.epoch == 4
