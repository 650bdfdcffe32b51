"""Log lines in the reference's format, smoothing windows and custom statistics."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from cadence.errors import ConfigError
from cadence.logging import LogProcessor, MessageHub


def _runner(hub, *, epoch=0, iteration=9, max_epochs=12, max_iters=1000, length=45):
    loader = list(range(length))
    return SimpleNamespace(
        message_hub=hub,
        epoch=epoch,
        iter=iteration,
        max_epochs=max_epochs,
        max_iters=max_iters,
        train_dataloader=loader,
        val_dataloader=list(range(12)),
        test_dataloader=list(range(12)),
    )


def _hub():
    hub = MessageHub.create_instance('test-log-processor')
    for i in range(20):
        hub.update_scalar('train/loss', torch.tensor(float(i)))  # tensors, as training logs them
        hub.update_scalar('train/time', 0.5)
        hub.update_scalar('train/data_time', 0.25)
        hub.update_scalar('train/lr', 0.02 - i * 1e-4)
        hub.update_scalar('train/acc', float(i))
    hub.update_info('eta', 3725.9)
    return hub


def test_epoch_train_line_and_tag():
    processor = LogProcessor()
    tag, line = processor.get_log_after_iter(_runner(_hub()), 9, 'train')
    assert line == (
        'Epoch(train)  [1][10/45]  lr: 1.8100e-02  eta: 1:02:05  time: 0.5000  '
        'data_time: 0.2500  loss: 14.5000  acc: 19.0000  '
        '(mean of the last 10 values: time, data_time, loss)'
    )
    # losses and times are means over the last 10 values; other keys are current values
    assert tag == {
        'loss': 14.5,
        'time': 0.5,
        'data_time': 0.25,
        'lr': pytest.approx(0.0181),
        'acc': 19.0,
        'epoch': 1,
        'iter': 10,
    }


def test_iteration_train_line():
    processor = LogProcessor(by_epoch=False, window_size=4, num_digits=2)
    _, line = processor.get_log_after_iter(_runner(_hub(), iteration=99), 99, 'train')
    assert line.startswith('Iter(train) [ 100/1000]  lr: 1.81e-02  eta: 1:02:05  time: 0.50  ')
    assert 'loss: 17.50' in line


def test_windows_custom_statistics_and_hierarchy():
    hub = _hub()
    processor = LogProcessor(
        window_size='global',
        custom_cfg=[
            {'data_src': 'loss', 'method': 'max', 'window_size': 'global', 'log_name': 'loss_max'}
        ],
        log_with_hierarchy=True,
    )
    tag, _ = processor.get_log_after_iter(_runner(hub), 9, 'train')
    assert tag['train/loss'] == 9.5 and tag['train/loss_max'] == 19.0
    epoch_window = LogProcessor(window_size='epoch')
    tag, _ = epoch_window.get_log_after_iter(_runner(hub), 1, 'train')  # 2 iterations this epoch
    assert tag['loss'] == 18.5


def test_val_lines():
    hub = _hub()
    hub.update_scalar('val/time', 0.1)
    hub.update_scalar('val/data_time', 0.05)
    processor = LogProcessor()
    runner = _runner(hub, epoch=3)
    _, line = processor.get_log_after_iter(runner, 4, 'val')
    assert line == (
        'Epoch(val) [3][ 5/12]  time: 0.1000  data_time: 0.0500  '
        '(mean of the last 1 value: time, data_time)'
    )
    tag, line = processor.get_log_after_epoch(runner, 12, 'val', {'accuracy/top1': 97.5})
    assert line == (
        'Epoch(val) [3][12/12]  accuracy/top1: 97.5000  time: 0.1000  data_time: 0.0500  '
        '(mean of the last 1 value: time, data_time)'
    )
    assert tag == {'accuracy/top1': 97.5, 'time': 0.1, 'data_time': 0.05}
    _, line = LogProcessor(by_epoch=False).get_log_after_epoch(runner, 12, 'test', {'a': 1.0})
    assert line.startswith('Iter(test) [12/12]  a: 1.0000')


@pytest.mark.parametrize(
    ('kwargs', 'message'),
    [
        ({'window_size': 0}, 'window_size'),
        ({'custom_cfg': [{'method': 'mean'}]}, 'data_src'),
        ({'custom_cfg': [{'data_src': 'loss', 'method': 'median'}]}, 'method must be one of'),
        ({'custom_cfg': [{'data_src': 'loss', 'windw_size': 3}]}, 'unknown keys'),
    ],
)
def test_configuration_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        LogProcessor(**kwargs)


def _two_group_runner(hub):
    """An SGD with a 'backbone' group and a 'head' group at 10x the lr, as the reference's
    RuntimeInfoHook would have logged it (train/lr = the first group's lr)."""
    from torch import nn

    from cadence.optim import OptimWrapper

    model = nn.ModuleDict({'backbone': nn.Linear(2, 2), 'head': nn.Linear(2, 2)})
    optimizer = torch.optim.SGD(
        [
            {'params': model['backbone'].parameters()},
            {'params': model['head'].parameters(), 'lr': 0.2, 'momentum': 0.5},
        ],
        lr=0.02,
        momentum=0.9,
    )
    runner = _runner(hub)
    runner.optim_wrapper = OptimWrapper(optimizer)
    runner.model = model
    return runner


def test_every_distinct_group_lr_and_momentum_is_logged():
    hub = MessageHub.create_instance('test-log-processor-groups')
    for i in range(3):
        hub.update_scalar('train/lr', 0.02)
        hub.update_scalar('train/loss', torch.tensor(float(i)))
        hub.update_scalar('train/time', 0.5)
        hub.update_scalar('train/data_time', 0.25)
    hub.update_info('eta', 10)
    tag, line = LogProcessor().get_log_after_iter(_two_group_runner(hub), 2, 'train')
    assert line == (
        'Epoch(train)  [1][ 3/45]  lr: 2.0000e-02  lr/head: 2.0000e-01  eta: 0:00:10  '
        'time: 0.5000  data_time: 0.2500  momentum: 0.9000  momentum/head: 0.5000  '
        'loss: 1.0000  (mean of the last 3 values: time, data_time, loss)'
    )
    assert tag['lr/head'] == 0.2 and tag['momentum'] == 0.9 and tag['momentum/head'] == 0.5
    tag, _ = LogProcessor(log_with_hierarchy=True).get_log_after_iter(
        _two_group_runner(hub), 2, 'train'
    )
    assert {'train/lr', 'train/lr/head', 'train/momentum', 'train/momentum/head'} <= set(tag)


def test_smoothing_note_says_how_many_values_each_mean_covers():
    hub = MessageHub.create_instance('test-log-processor-note')
    for i in range(20):
        hub.update_scalar('train/loss', float(i))
        if i % 4 == 3:  # accumulation over 4 iterations: one gradient norm per update
            hub.update_scalar('train/grad_norm', float(i))
    runner = _runner(hub)
    _, line = LogProcessor(window_size=10).get_log_after_iter(runner, 19, 'train')
    assert line.endswith(
        'loss: 14.5000  grad_norm: 11.0000  '
        '(mean of the last 10 values: loss; of the last 5 values: grad_norm)'
    )  # grad_norm: the mean of 3, 7, 11, 15, 19 (all 5 logged so far)
    _, line = LogProcessor(window_size='global').get_log_after_iter(runner, 19, 'train')
    assert line.endswith(
        'loss: 9.5000  grad_norm: 11.0000  (mean since the start: loss, grad_norm)'
    )
    _, line = LogProcessor(window_size='epoch').get_log_after_iter(runner, 3, 'train')
    assert line.endswith(
        'loss: 17.5000  grad_norm: 13.0000  (mean of the last 4 values: loss, grad_norm)'
    )


def test_the_note_lists_only_values_in_the_line():
    hub = MessageHub.create_instance('test-log-processor-note-val')
    hub.update_scalar('val/loss', 1.0)  # smoothed, but val iteration lines show times only
    hub.update_scalar('val/time', 0.1)
    hub.update_scalar('val/data_time', 0.05)
    _, line = LogProcessor().get_log_after_iter(_runner(hub, epoch=1), 0, 'val')
    assert line == (
        'Epoch(val) [1][ 1/12]  time: 0.1000  data_time: 0.0500  '
        '(mean of the last 1 value: time, data_time)'
    )
    hub = MessageHub.create_instance('test-log-processor-no-note')
    hub.update_scalar('train/lr', 0.1)
    _, line = LogProcessor().get_log_after_iter(_runner(hub), 0, 'train')
    assert line == 'Epoch(train)  [1][ 1/45]  lr: 1.0000e-01'  # nothing averaged, no note


def test_hierarchy_names_validation_scalars_too():
    hub = MessageHub.create_instance('test-log-processor-val-hierarchy')
    for _ in range(12):
        hub.update_scalar('val/time', 0.1)
        hub.update_scalar('val/data_time', 0.05)
    processor = LogProcessor(log_with_hierarchy=True)
    tag, line = processor.get_log_after_epoch(_runner(hub, epoch=2), 12, 'val', {'acc': 90.0})
    assert tag == {
        'val/acc': 90.0,
        'val/time': pytest.approx(0.1),
        'val/data_time': pytest.approx(0.05),
    }
    assert line == (
        'Epoch(val) [2][12/12]  acc: 90.0000  time: 0.1000  data_time: 0.0500  '
        '(mean of the last 12 values: time, data_time)'
    )
