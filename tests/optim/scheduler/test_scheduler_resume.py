"""Resume (DESIGN deviation 4): progress from the checkpoint, everything else from the config.

A run interrupted at any iteration and resumed the way the Runner does it (fresh optimizer and
schedulers from the config, optimizer state loaded, then :func:`restore_schedulers`) continues
bit for bit like the uninterrupted run. A changed config wins and the difference is logged.
"""

from __future__ import annotations

import io
import logging
import random
from collections import Counter

import pytest
import torch
from scheduler_helpers import PseudoGroupWrapper, random_scheduler, sgd

from cadence.errors import ConfigError
from cadence.optim.scheduler import (
    MultiStepLR,
    StepLR,
    build_param_schedulers,
    restore_schedulers,
    step_after_train_epoch,
    step_after_train_iter,
    step_after_val_epoch,
)


def build(cfg, groups: int, epoch_length: int, max_epochs: int):
    optimizer = sgd(groups)
    wrapper = PseudoGroupWrapper(optimizer)
    schedulers = build_param_schedulers(
        wrapper, cfg, epoch_length=epoch_length, max_epochs=max_epochs,
        max_iters=epoch_length * max_epochs,
    )  # fmt: skip
    return optimizer, wrapper, schedulers


def run(schedulers, wrapper, start: int, stop: int, epoch_length: int, metrics=None):
    rows = []
    for iteration in range(start, stop):
        rows.append([g['lr'] for g in wrapper.param_groups])
        step_after_train_iter(schedulers)
        if (iteration + 1) % epoch_length == 0:
            step_after_train_epoch(schedulers)
            if metrics is not None:
                step_after_val_epoch(schedulers, metrics((iteration + 1) // epoch_length))
    return rows


def checkpoint(optimizer, schedulers):
    """Save and load as the Runner does: torch.save, then torch.load(weights_only=True)."""
    buffer = io.BytesIO()
    torch.save({'optimizer': optimizer.state_dict(),
                'param_schedulers': [s.state_dict() for s in schedulers]}, buffer)  # fmt: skip
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def interrupted(cfg, groups, epoch_length, max_epochs, stop_at, metrics=None):
    total = epoch_length * max_epochs
    optimizer, wrapper, schedulers = build(cfg, groups, epoch_length, max_epochs)
    first = run(schedulers, wrapper, 0, stop_at, epoch_length, metrics)
    saved = checkpoint(optimizer, schedulers)
    optimizer, wrapper, schedulers = build(cfg, groups, epoch_length, max_epochs)
    optimizer.load_state_dict(saved['optimizer'])
    restore_schedulers(schedulers, saved['param_schedulers'], epoch_length=epoch_length)
    return first + run(schedulers, wrapper, stop_at, total, epoch_length, metrics)


def uninterrupted(cfg, groups, epoch_length, max_epochs, metrics=None):
    _, wrapper, schedulers = build(cfg, groups, epoch_length, max_epochs)
    return run(schedulers, wrapper, 0, epoch_length * max_epochs, epoch_length, metrics)


WARMUP_MULTISTEP = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, end=25),
    dict(type='MultiStepLR', by_epoch=True, milestones=[3, 5], gamma=0.1),
]
WARMUP_COSINE_CONVERTED = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, end=2, convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR', by_epoch=True, begin=2, eta_min=1e-4, convert_to_iter_based=True
    ),
]
OVERLAP_AFFINE = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, end=33),
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=4, eta_min=0.02),
]


@pytest.mark.parametrize('cfg', [WARMUP_MULTISTEP, WARMUP_COSINE_CONVERTED, OVERLAP_AFFINE],
                         ids=['warmup+multistep', 'converted warmup+cosine', 'overlap'])  # fmt: skip
@pytest.mark.parametrize('stop_at', [1, 7, 10, 24, 25, 26, 39, 40, 41])
def test_resume_anywhere_is_bit_identical(cfg, stop_at):
    expected = uninterrupted(cfg, 2, 10, 7)
    assert interrupted(cfg, 2, 10, 7, stop_at) == expected


@pytest.mark.parametrize('seed', range(25))
def test_resume_random_lists_bit_identical(seed):
    rng = random.Random(1000 + seed)
    max_epochs, epoch_length = rng.randrange(3, 8), rng.randrange(1, 6)
    cfg = [random_scheduler(rng, max_epochs, epoch_length) for _ in range(rng.randrange(1, 5))]
    stop_at = rng.randrange(1, max_epochs * epoch_length)
    expected = uninterrupted(cfg, 2, epoch_length, max_epochs)
    assert interrupted(cfg, 2, epoch_length, max_epochs, stop_at) == expected


def test_state_dict_is_progress_and_plain_python():
    optimizer = sgd()
    scheduler = MultiStepLR(optimizer, milestones=[2, 4])
    scheduler.step()
    state = scheduler.state_dict()
    assert state['last_step'] == 1 and state['_global_step'] == 1
    assert state['type'] == 'MultiStepLR'
    assert state['hparams']['milestones'] == [2, 4]
    assert 'optimizer' not in state


def test_changed_config_wins_and_is_reported(caplog):
    """mmengine#1565: extending training with new milestones must take effect."""
    old = dict(type='MultiStepLR', milestones=[2, 5], gamma=0.1)
    optimizer, wrapper, schedulers = build(old, 1, 4, 8)
    run(schedulers, wrapper, 0, 12, 4)  # 3 epochs: one decay
    saved = checkpoint(optimizer, schedulers)
    assert optimizer.param_groups[0]['lr'] == pytest.approx(0.01)

    new = dict(type='MultiStepLR', milestones=[4], gamma=0.5)
    optimizer, wrapper, schedulers = build(new, 1, 4, 8)
    optimizer.load_state_dict(saved['optimizer'])
    with caplog.at_level(logging.WARNING, logger='cadence'):
        restore_schedulers(schedulers, saved['param_schedulers'])
    assert optimizer.param_groups[0]['lr'] == 0.1  # no milestone of the new config passed yet
    assert schedulers[0].last_step == 3
    text = caplog.text
    assert 'milestones is [4] in the config, [2, 5] in the checkpoint' in text
    assert 'gamma is 0.5 in the config, 0.1 in the checkpoint' in text
    assert "lr of param group 0 is 0.1 from the config's schedule" in text
    assert 'the checkpoint had 0.01' in text
    rest = run(schedulers, wrapper, 12, 32, 4)
    assert rest[4][0] == pytest.approx(0.05)  # epoch 4 onwards


def test_changed_base_lr_wins():
    optimizer, wrapper, schedulers = build(WARMUP_MULTISTEP, 1, 10, 7)
    run(schedulers, wrapper, 0, 30, 10)
    saved = checkpoint(optimizer, schedulers)
    optimizer = sgd(1, lr=0.05)
    schedulers = build_param_schedulers(
        optimizer, WARMUP_MULTISTEP, epoch_length=10, max_epochs=7, max_iters=70
    )
    optimizer.load_state_dict(saved['optimizer'])  # brings back lr 0.1 and initial_lr 0.1
    restore_schedulers(schedulers, saved['param_schedulers'])
    assert optimizer.param_groups[0]['lr'] == pytest.approx(0.005)
    assert optimizer.param_groups[0]['initial_lr'] == 0.05


def test_scheduler_count_mismatch_is_an_error():
    schedulers = build(WARMUP_MULTISTEP, 1, 10, 7)[2]
    saved = [s.state_dict() for s in schedulers]
    with pytest.raises(
        ConfigError, match='the checkpoint has 1 parameter schedulers, the config builds 2'
    ):
        restore_schedulers(schedulers, saved[:1])


def test_plateau_resume_keeps_metric_history():
    cfg = [
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, end=15),
        dict(type='ReduceOnPlateauLR', monitor='loss', patience=1, factor=0.5, cooldown=1),
    ]
    losses = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8]

    def metrics(epoch):
        return {'loss': losses[epoch - 1]}

    expected = uninterrupted(cfg, 2, 5, 10, metrics)
    assert expected[-1][0] < 0.1  # reductions happened
    for stop_at in (5, 20, 35, 40):
        assert interrupted(cfg, 2, 5, 10, stop_at, metrics) == expected


def test_reference_style_state_dict_is_accepted(caplog):
    optimizer = sgd()
    scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    reference_state = {
        'step_size': 3, 'gamma': 0.5, 'param_name': 'lr', 'begin': 0, 'end': 1000000000,
        'by_epoch': True, 'base_values': [0.1], 'last_step': 4, '_global_step': 4,
        'verbose': False, '_last_value': [0.025],
    }  # fmt: skip
    with caplog.at_level(logging.WARNING, logger='cadence'):
        scheduler.load_state_dict(reference_state)
    assert optimizer.param_groups[0]['lr'] == pytest.approx(0.025)  # from the config: 0.5 ** 2
    assert 'step_size is 2 in the config, 3 in the checkpoint' in caplog.text


def test_reference_counter_milestones_compare_equal(caplog):
    optimizer = sgd()
    scheduler = MultiStepLR(optimizer, milestones=[2, 2, 5])
    state = {'milestones': Counter([2, 2, 5]), 'gamma': 0.1, 'last_step': 0, '_global_step': 0}
    with caplog.at_level(logging.WARNING, logger='cadence'):
        scheduler.load_state_dict(state)
    assert 'milestones' not in caplog.text


def test_malformed_state_is_an_error():
    with pytest.raises(ConfigError, match="needs an int 'last_step'"):
        StepLR(sgd(), step_size=2).load_state_dict({'_global_step': 3})
