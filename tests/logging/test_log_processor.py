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
        'data_time: 0.2500  loss: 14.5000  acc: 19.0000'
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
    assert line == 'Epoch(val) [3][ 5/12]  time: 0.1000  data_time: 0.0500'
    tag, line = processor.get_log_after_epoch(runner, 12, 'val', {'accuracy/top1': 97.5})
    assert line == 'Epoch(val) [3][12/12]  accuracy/top1: 97.5000  time: 0.1000  data_time: 0.0500'
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
