"""LoggerHook: when it logs, what it checks, the step of validation metrics, and that quiet
iterations touch nothing (no log processor, no tensor conversion)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import torch

from cadence.errors import ConfigError
from cadence.hooks import LoggerHook, RuntimeInfoHook
from cadence.logging import LogProcessor, MessageHub
from support.runs import digits_cfg, train


class Recorder:
    """Stands in for the Runner's logger, visualizer and loss check."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.scalars: list[tuple[dict, int]] = []
        self.checks = 0

    def info(self, line: str) -> None:
        self.lines.append(line)

    def add_scalars(self, tag, step=0, file_path=None) -> None:
        self.scalars.append((dict(tag), step))

    def close(self) -> None: ...

    def check_losses(self) -> None:
        self.checks += 1


def _runner(length=6, by_epoch=True, max_epochs=3, **kw):
    record = Recorder()
    hub = MessageHub.create_instance('test-logger-hook')
    loader = list(range(length))
    runner = SimpleNamespace(
        message_hub=hub,
        logger=record,
        visualizer=record,
        check_losses=record.check_losses,
        log_processor=LogProcessor(by_epoch=by_epoch),
        train_dataloader=loader,
        val_dataloader=[0, 1],
        train_by_epoch=by_epoch,
        epoch=0,
        iter=0,
        max_epochs=max_epochs,
        max_iters=max_epochs * length,
        experiment_name='exp',
        timestamp='20260101_000000',
        training=True,
        work_dir='.',
    )
    runner.__dict__.update(kw)
    return runner, record


def _run_epoch(hook, runner, length):
    for batch_idx in range(length):
        runner.message_hub.update_scalar('train/loss', torch.tensor(float(batch_idx)))
        hook.after_train_iter(runner, batch_idx)
        runner.iter += 1


def test_logs_every_interval_and_checks_losses_each_time():
    hook = LoggerHook(interval=2, progress=False)
    runner, record = _runner(length=6)
    hook.before_train(runner)
    _run_epoch(hook, runner, 6)
    assert [step for _, step in record.scalars] == [2, 4, 6]
    assert record.checks == 3  # the non-finite loss check runs at every logging interval
    train_lines = [line for line in record.lines if line.startswith('Epoch(train)')]
    assert [line[:25] for line in train_lines] == [
        'Epoch(train) [1][2/6]  lo',
        'Epoch(train) [1][4/6]  lo',
        'Epoch(train) [1][6/6]  lo',
    ]
    assert record.lines.count('Exp name: exp') == 1  # at the end of the epoch


@pytest.mark.parametrize(
    ('ignore_last', 'interval', 'steps'),
    [(True, 4, [4]), (False, 4, [4, 6]), (True, 10, [6])],  # an epoch shorter than interval
)
def test_the_partial_interval_at_the_end_of_an_epoch(ignore_last, interval, steps):
    hook = LoggerHook(interval=interval, ignore_last=ignore_last, progress=False)
    runner, record = _runner(length=6)
    hook.before_train(runner)
    _run_epoch(hook, runner, 6)
    assert [step for _, step in record.scalars] == steps


def test_quiet_iterations_touch_neither_the_processor_nor_the_tensors():
    """Between logging intervals no value is converted (no host synchronisation)."""
    converted = []

    class Watched(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            name = getattr(func, '__name__', str(func))
            if name in ('item', 'tolist', '__float__', 'cpu', 'numpy'):
                converted.append(name)
            return super().__torch_function__(func, types, args, kwargs or {})

    hook, info = LoggerHook(interval=5, progress=False), RuntimeInfoHook()
    runner, record = _runner(length=20, by_epoch=False, max_epochs=1)
    runner.optim_wrapper = SimpleNamespace(get_lr=lambda: {'lr': [0.1]})
    calls = []
    real = runner.log_processor.get_log_after_iter
    runner.log_processor.get_log_after_iter = lambda *a: calls.append(a) or real(*a)
    hook.before_train(runner)
    for batch_idx in range(4):
        info.before_train_iter(runner, batch_idx)
        loss = torch.tensor(float(batch_idx)).as_subclass(Watched)
        info.after_train_iter(runner, batch_idx, outputs={'loss': loss})
        hook.after_train_iter(runner, batch_idx)
        runner.iter += 1
    assert calls == [] and converted == [] and record.checks == 0
    info.before_train_iter(runner, 4)
    info.after_train_iter(runner, 4, outputs={'loss': torch.tensor(4.0).as_subclass(Watched)})
    hook.after_train_iter(runner, 4)  # the logging iteration reads all five
    assert len(calls) == 1 and converted and record.scalars[0][0]['loss'] == 2.0


@pytest.mark.parametrize(
    ('by_epoch', 'log_metric_by_epoch', 'step'),
    [(True, True, 2), (True, False, 12), (False, True, 12), (False, False, 12)],
)
def test_validation_metrics_step(by_epoch, log_metric_by_epoch, step):
    """The epoch in epoch-based training (by default), the iteration otherwise; the reference
    wrote 0 in iteration-based training."""
    hook = LoggerHook(log_metric_by_epoch=log_metric_by_epoch, progress=False)
    runner, record = _runner(by_epoch=by_epoch, epoch=2 if by_epoch else 0, iter=12)
    hook.after_val_epoch(runner, {'accuracy/top1': 90.0})
    assert record.scalars == [({'accuracy/top1': 90.0}, step)]


def test_validation_steps_in_a_real_epoch_run_without_log_metric_by_epoch(tmp_path):
    cfg = digits_cfg(tmp_path)
    cfg['default_hooks']['logger']['log_metric_by_epoch'] = False
    runner = train(cfg)
    lines = (tmp_path / runner.timestamp / 'vis_data' / 'scalars.json').read_text().splitlines()
    val = [json.loads(line) for line in lines if 'accuracy/top1' in line]
    assert [line['step'] for line in val] == [6, 12, 18]  # iterations at the epoch ends


@pytest.mark.parametrize(
    ('kwargs', 'message'),
    [
        ({'interval': 0}, 'interval must be a positive int'),
        ({'progress': 'auto'}, 'progress must be True or False'),
        ({'backend_args': {}}, 'backend_args'),
    ],
)
def test_argument_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        LoggerHook(**kwargs)
