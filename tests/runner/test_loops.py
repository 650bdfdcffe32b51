"""Loops: validation schedule (dynamic intervals without the reference's off-by-one), the
iteration loop (no sleeping, passes over the data), metric steps in both loop kinds."""

from __future__ import annotations

import json
import time

import pytest

from cadence.errors import ConfigError
from cadence.hooks import Hook
from cadence.runner import Runner
from cadence.runner.loops import dynamic_schedule
from support.runs import digits_cfg, iter_cfg, train


class ValRecorder(Hook):
    def __init__(self):
        self.epochs, self.iters = [], []

    def after_val_epoch(self, runner, metrics=None):
        self.epochs.append(runner.epoch)
        self.iters.append(runner.iter)


def _validated(cfg):
    runner = Runner.from_cfg(cfg)
    recorder = ValRecorder()
    runner.register_hook(recorder)
    runner.train()
    return recorder


def _epoch_cfg(tmp_path, **train_cfg):
    cfg = digits_cfg(tmp_path, train_cfg={'by_epoch': True, **train_cfg})
    cfg['train_dataloader']['dataset']['indices'] = 16  # one iteration per epoch
    cfg['default_hooks'] = {'checkpoint': None}
    return cfg


def test_val_interval_and_begin(tmp_path):
    recorder = _validated(_epoch_cfg(tmp_path, max_epochs=7, val_interval=3, val_begin=4))
    assert recorder.epochs == [6, 7]  # 3 is before val_begin; the last epoch always validates


def test_dynamic_intervals_switch_at_the_milestone(tmp_path):
    # every 3 epochs, and from 4 completed epochs on every 2. The reference switches one epoch
    # early: after epoch 3 it already applies interval 2 and skips that validation.
    recorder = _validated(
        _epoch_cfg(tmp_path, max_epochs=9, val_interval=3, dynamic_intervals=[(4, 2)])
    )
    assert recorder.epochs == [3, 4, 6, 8, 9]
    milestones, intervals = dynamic_schedule(3, [(4, 2), (8, 1)])
    assert (milestones, intervals) == ([0, 4, 8], [3, 2, 1])
    with pytest.raises(ConfigError, match='must increase'):
        dynamic_schedule(1, [(4, 2), (3, 1)])


def test_iteration_loop_validates_by_iteration_and_never_sleeps(tmp_path, monkeypatch):
    def no_sleep(seconds):
        raise AssertionError(f'the loop slept {seconds}s')

    monkeypatch.setattr(time, 'sleep', no_sleep)
    cfg = iter_cfg(
        tmp_path,
        train_cfg={
            'by_epoch': False,
            'max_iters': 20,
            'val_interval': 8,
            'dynamic_intervals': [(16, 2)],
        },
    )
    recorder = _validated(cfg)
    assert recorder.iters == [8, 16, 18, 20]
    assert recorder.epochs == [0, 0, 0, 0]


def test_iteration_loop_restarts_passes_with_new_orders(tmp_path):
    seen = []

    class BatchRecorder(Hook):
        def before_train_iter(self, runner, batch_idx, data_batch=None):
            seen.append(tuple(data_batch['data_samples'].tolist()))

    runner = Runner.from_cfg(iter_cfg(tmp_path, train_cfg={'by_epoch': False, 'max_iters': 12}))
    runner.register_hook(BatchRecorder())
    runner.train()
    first, second = seen[:6], seen[6:]
    assert sorted(sum(first, ())) == sorted(sum(second, ()))  # each pass covers the data once
    assert first != second  # and is shuffled differently (sampler epoch = pass index)
    assert runner.iter == 12 and runner.epoch == 0


def test_val_metric_step_is_the_iteration_in_iteration_based_training(tmp_path):
    runner = train(iter_cfg(tmp_path))
    with open(f'{runner.log_dir}/vis_data/scalars.json') as handle:
        lines = [json.loads(line) for line in handle]
    assert [line['step'] for line in lines if 'accuracy/top1' in line] == [10, 20]
    assert [line['step'] for line in lines if 'loss' in line] == [5, 10, 15, 20]


def test_infinite_sampler_needs_the_iteration_loop(tmp_path):
    cfg = digits_cfg(tmp_path)
    cfg['train_dataloader']['sampler'] = {'type': 'InfiniteSampler'}
    with pytest.raises(ConfigError, match='InfiniteSampler never ends an epoch'):
        train(cfg)
    cfg = iter_cfg(tmp_path)
    cfg['train_dataloader']['sampler'] = {'type': 'InfiniteSampler'}
    assert train(cfg).iter == 20


def test_max_epochs_must_be_whole(tmp_path):
    with pytest.raises(ConfigError, match='max_epochs must be a whole number'):
        train(digits_cfg(tmp_path, train_cfg={'by_epoch': True, 'max_epochs': 2.5}))
