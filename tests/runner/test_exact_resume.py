"""Exact resume: training straight and training, stopping and resuming end bit-identical
(weights, optimizer state, hyper-parameters), for epoch- and iteration-based loops and for a
checkpoint in the middle of an epoch. Resuming skips the samples already seen by index."""

from __future__ import annotations

import os
import signal
from typing import ClassVar

import pytest
import torch

from cadence.dataset import DigitsDataset
from cadence.hooks import Hook
from cadence.registry import DATASETS
from cadence.runner import Runner, TrainingInterrupted, load_checkpoint_file
from support.runs import (
    assert_same_training_state,
    digits_cfg,
    iter_cfg,
    train,
)

WARMUP_COSINE = [
    {'type': 'LinearLR', 'start_factor': 0.1, 'by_epoch': False, 'begin': 0, 'end': 5},
    {
        'type': 'CosineAnnealingLR',
        'by_epoch': True,
        'begin': 1,
        'end': 4,
        'convert_to_iter_based': True,
    },
]
ITER_SCHEDULE = [
    {'type': 'LinearLR', 'start_factor': 0.1, 'by_epoch': False, 'begin': 0, 'end': 5},
    {'type': 'CosineAnnealingLR', 'by_epoch': False, 'begin': 5, 'end': 20},
]


@DATASETS.register_module(force=True)
class CountingDigits(DigitsDataset):
    """Digits that remember which samples were loaded."""

    loaded: ClassVar[list[int]] = []

    def __getitem__(self, index):
        CountingDigits.loaded.append(index)
        return super().__getitem__(index)


def _resume(cfg, work_dir, checkpoint):
    cfg = dict(cfg, work_dir=str(work_dir), resume=True, load_from=checkpoint)
    return train(cfg)


def _epoch_cfg(tmp_path, schedule):
    cfg = digits_cfg(tmp_path / 'straight', train_cfg={'by_epoch': True, 'max_epochs': 4})
    if schedule:
        cfg['param_scheduler'] = WARMUP_COSINE
    return cfg


@pytest.mark.parametrize('schedule', [False, pytest.param(True)])
def test_epoch_based_resume_is_bit_identical(tmp_path, schedule):
    cfg = _epoch_cfg(tmp_path, schedule)
    straight = train(cfg)
    resumed = _resume(cfg, tmp_path / 'resumed', str(tmp_path / 'straight' / 'epoch_2.pth'))
    assert (resumed.epoch, resumed.iter) == (4, 24)
    assert_same_training_state(straight, resumed)


@pytest.mark.parametrize('schedule', [False, pytest.param(True)])
def test_mid_epoch_resume_is_bit_identical_and_skips_seen_samples(tmp_path, schedule):
    cfg = _epoch_cfg(tmp_path, schedule)
    cfg['train_dataloader']['dataset']['type'] = 'CountingDigits'
    cfg['default_hooks']['checkpoint'] = {
        'type': 'CheckpointHook',
        'interval': 4,
        'by_epoch': False,
    }
    straight = train(cfg)
    checkpoint = str(tmp_path / 'straight' / 'iter_8.pth')  # epoch 2, after 2 of 6 batches
    state = load_checkpoint_file(checkpoint)['train_state']['loop']
    assert (state['epoch'], state['iter'], state['batches']) == (1, 8, 2)
    CountingDigits.loaded.clear()
    resumed = _resume(cfg, tmp_path / 'resumed', checkpoint)
    assert_same_training_state(straight, resumed)
    # 4 batches of 16 left in epoch 2, then 2 full epochs of 96: nothing seen is loaded again
    assert len(CountingDigits.loaded) == 4 * 16 + 2 * 96


@pytest.mark.parametrize('schedule', [False, pytest.param(True)])
def test_iteration_based_resume_is_bit_identical(tmp_path, schedule):
    cfg = iter_cfg(tmp_path / 'straight')
    if schedule:
        cfg['param_scheduler'] = ITER_SCHEDULE
    straight = train(cfg)
    for step in (5, 15):  # mid-pass (5 of 6 batches) and in the third pass
        resumed = _resume(
            cfg, tmp_path / f'resumed{step}', str(tmp_path / 'straight' / f'iter_{step}.pth')
        )
        assert resumed.iter == 20
        assert_same_training_state(straight, resumed)


class InterruptAt(Hook):
    """Delivers SIGINT to this process during iteration ``at``, as Ctrl-C would."""

    def __init__(self, at):
        self.at = at

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter == self.at:
            signal.raise_signal(signal.SIGINT)


def test_ctrl_c_saves_after_the_iteration_and_resume_is_exact(tmp_path):
    cfg = _epoch_cfg(tmp_path, schedule=False)
    straight = train(cfg)
    interrupted_cfg = dict(cfg, work_dir=str(tmp_path / 'interrupted'))
    runner = Runner.from_cfg(interrupted_cfg)
    runner.register_hook(InterruptAt(8))
    previous = signal.getsignal(signal.SIGINT)
    with pytest.raises(TrainingInterrupted) as info:
        runner.train()
    assert signal.getsignal(signal.SIGINT) is previous
    assert info.value.signum == signal.SIGINT
    path = str(tmp_path / 'interrupted' / 'iter_9.pth')
    assert info.value.checkpoint == path
    assert (tmp_path / 'interrupted' / 'last_checkpoint').read_text() == path
    resumed = train(dict(interrupted_cfg, resume=True))  # --resume without a path
    assert resumed.iter == 24
    assert_same_training_state(straight, resumed)


def test_every_checkpoint_loads_weights_only(tmp_path):
    cfg = _epoch_cfg(tmp_path, schedule=False)
    train(cfg)
    for name in os.listdir(tmp_path / 'straight'):
        if name.endswith('.pth'):
            checkpoint = torch.load(tmp_path / 'straight' / name, weights_only=True)
            assert {'meta', 'state_dict', 'message_hub', 'optimizer', 'train_state'} <= set(
                checkpoint
            )
            assert set(checkpoint['train_state']['rng']) >= {'python', 'numpy', 'torch'}


def test_load_from_loads_weights_only(tmp_path):
    cfg = _epoch_cfg(tmp_path, schedule=False)
    straight = train(cfg)
    fresh = Runner.from_cfg(
        dict(
            cfg,
            work_dir=str(tmp_path / 'fresh'),
            load_from=str(tmp_path / 'straight' / 'epoch_4.pth'),
            train_cfg={'by_epoch': True, 'max_epochs': 1},
        )
    )
    fresh.train_loop  # noqa: B018
    fresh.load_or_resume()
    for key, value in straight.model.state_dict().items():
        assert torch.equal(value, fresh.model.state_dict()[key])
    assert fresh.iter == 0 and fresh.epoch == 0


def test_resume_without_a_checkpoint_starts_from_scratch(tmp_path, caplog):
    import logging

    cfg = dict(_epoch_cfg(tmp_path, schedule=False), resume=True, log_level='INFO')
    with caplog.at_level(logging.INFO, logger='cadence'):
        runner = train(cfg)
    assert 'no checkpoint to resume from' in caplog.text
    assert runner.epoch == 4


@DATASETS.register_module(force=True)
class NoisyDigits(DigitsDataset):
    """Digits with random noise drawn in the dataloader worker (worker-side randomness)."""

    def __getitem__(self, index):
        sample = super().__getitem__(index)
        return {**sample, 'inputs': sample['inputs'] + 0.05 * torch.rand(sample['inputs'].shape)}


@pytest.mark.slow
def test_resume_with_dataloader_workers_is_bit_identical(tmp_path):
    cfg = _epoch_cfg(tmp_path, schedule=False)
    cfg['train_dataloader'].update(num_workers=2, persistent_workers=False)
    cfg['train_dataloader']['dataset']['type'] = 'NoisyDigits'
    straight = train(cfg)
    resumed = _resume(cfg, tmp_path / 'resumed', str(tmp_path / 'straight' / 'epoch_2.pth'))
    assert_same_training_state(straight, resumed)


def test_two_runners_keep_their_own_message_hubs(tmp_path):
    first = Runner.from_cfg(_epoch_cfg(tmp_path / 'a', schedule=False))
    second = Runner.from_cfg(_epoch_cfg(tmp_path / 'b', schedule=False))
    first.train()
    assert first.optim_wrapper.message_hub is first.message_hub
    assert 'train/loss' in first.message_hub.log_scalars
    assert 'train/loss' not in second.message_hub.log_scalars


def test_resuming_from_a_checkpoint_without_optimizer_state_warns(tmp_path, caplog):
    import logging

    cfg = _epoch_cfg(tmp_path, schedule=False)
    cfg['default_hooks']['checkpoint'] = {
        'type': 'CheckpointHook',
        'interval': 1,
        'save_optimizer': False,
    }
    train(cfg)
    with caplog.at_level(logging.WARNING, logger='cadence'):
        _resume(cfg, tmp_path / 'resumed', str(tmp_path / 'straight' / 'epoch_2.pth'))
    assert 'no optimizer state' in caplog.text


def test_resume_after_validation_driven_changes_is_exact(tmp_path):
    """A checkpoint is written once the validation after its epoch is done, so what validation
    changes (here a ReduceOnPlateau lr) is in it and the resumed run matches."""
    schedule = {
        'type': 'ReduceOnPlateauLR',
        'monitor': 'accuracy/top1',
        'rule': 'greater',
        'patience': 0,
        'factor': 0.5,
        'threshold': 1000.0,  # never "better": the lr halves after every validation
    }
    checkpoint = {'type': 'CheckpointHook', 'interval': 1}
    hooks = {'logger': {'type': 'LoggerHook', 'interval': 2}, 'checkpoint': checkpoint}
    cfg = digits_cfg(
        tmp_path / 'straight',
        param_scheduler=schedule,
        default_hooks=hooks,
        train_cfg={'by_epoch': True, 'max_epochs': 4},
    )
    straight = train(cfg)
    saved = torch.load(tmp_path / 'straight' / 'epoch_2.pth', weights_only=True)
    # validation 1 sets the plateau's best, validation 2 halves the lr: the checkpoint saw both
    assert saved['optimizer']['param_groups'][0]['lr'] == pytest.approx(0.1 * 0.5)
    resumed = train(
        dict(
            cfg,
            work_dir=str(tmp_path / 'resumed'),
            resume=True,
            load_from=str(tmp_path / 'straight' / 'epoch_2.pth'),
        )
    )
    assert_same_training_state(straight, resumed)
    # validations 2 and 3 halve the lr; the 4th falls outside the scheduler's window (its
    # default end is max_epochs and it counts train epochs, as in the reference)
    assert resumed.optim_wrapper.get_lr()['lr'] == pytest.approx([0.1 * 0.5**2])


def test_a_failing_validation_still_writes_the_deferred_checkpoint(tmp_path):
    class FailingValidation(Exception):
        pass

    runner = Runner.from_cfg(digits_cfg(tmp_path, train_cfg={'by_epoch': True, 'max_epochs': 2}))

    def fail():
        raise FailingValidation

    runner.val_loop.run = fail
    with pytest.raises(FailingValidation):
        runner.train()
    checkpoint = torch.load(tmp_path / 'epoch_1.pth', weights_only=True)
    assert checkpoint['meta']['epoch'] == 1
    assert (tmp_path / 'last_checkpoint').read_text().strip().endswith('epoch_1.pth')


def test_resume_inside_an_accumulation_window_is_bit_identical(tmp_path, caplog):
    """iter_5 and iter_10 fall inside windows of 3: the summed gradients are saved with them."""
    cfg = iter_cfg(tmp_path / 'straight')
    cfg['optim_wrapper'] = dict(cfg['optim_wrapper'], accumulative_counts=3)
    straight = train(cfg)
    saved = torch.load(tmp_path / 'straight' / 'iter_5.pth', weights_only=True)
    grads = saved['train_state']['grads']
    assert set(grads) == {name for name, _ in straight.model.named_parameters()}
    assert (
        torch.load(tmp_path / 'straight' / 'iter_15.pth', weights_only=True)['train_state']['grads']
        is None
    )  # 15 closes a window: nothing pending
    for step in (5, 10):
        with caplog.at_level('WARNING', logger='cadence'):
            resumed = _resume(
                cfg, tmp_path / f'resumed{step}', str(tmp_path / 'straight' / f'iter_{step}.pth')
            )
        assert 'not a multiple of accumulative_counts' not in caplog.text
        assert_same_training_state(straight, resumed)
