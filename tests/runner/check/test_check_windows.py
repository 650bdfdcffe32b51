"""Scheduler windows in epochs and iterations, and their flags and warnings, on real
schedulers built by ``check_config`` (45 iterations per epoch on the digits data)."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest

from cadence.runner.check import check_config
from cadence.runner.check.context import Training
from cadence.runner.check.report import ScheduleWindow
from cadence.runner.check.windows import flag_coverage, window_warnings

ROOT = Path(__file__).parents[3]
SEEDS = ROOT / 'configs' / 'seeds' / 'schedules'
LENGTH = 45  # ceil(1437 / 32)


def check(tmp_path: Path, schedulers: str, train_cfg: str = 'dict(by_epoch=True, max_epochs=12)'):
    path = tmp_path / 'config.py'
    path.write_text(
        f"_base_ = ['{SEEDS / 'multistep_epoch.py'}']\nwork_dir = 'unused'\n"
        f'train_cfg = {train_cfg}\nparam_scheduler = {schedulers}\n'
    )
    return check_config(path)


def warnings_at(report) -> dict[str, str]:
    return {f.key_path: f.message for f in report.warnings}


def test_converted_and_epoch_windows_in_both_units():
    report = check_config(SEEDS / 'warmup_epoch_convert_then_cosine.py')
    warmup, cosine = report.windows
    assert (warmup.converted, warmup.by_epoch) == (True, False)
    assert (warmup.begin_iter, warmup.end_iter) == (0, 10 * LENGTH)
    assert (warmup.begin_epoch, warmup.end_epoch) == (0, 10)
    assert (cosine.converted, cosine.by_epoch) == (False, True)
    assert (cosine.begin_epoch, cosine.end_epoch) == (10, 100)
    assert (cosine.begin_iter, cosine.end_iter) == (10 * LENGTH, 100 * LENGTH)
    assert warmup.flags == () and cosine.flags == ()
    assert report.warnings == []


def test_overlapping_windows_are_flagged_not_warned():
    report = check_config(SEEDS / 'warmup_iter_then_multistep.py')
    linear, multistep = report.windows
    assert (linear.begin_iter, linear.end_iter) == (0, 50)
    assert multistep.flags == ('overlaps #0 (both change lr)',)
    assert report.warnings == []


def test_fractional_epochs_are_kept_exact(tmp_path):
    report = check(
        tmp_path,
        "[dict(type='LinearLR', by_epoch=True, begin=0, end=2.5, convert_to_iter_based=True),"
        " dict(type='CosineAnnealingLR', by_epoch=False, begin=112)]",
    )
    linear, cosine = report.windows
    assert linear.end_iter == int(2.5 * LENGTH) == 112
    assert linear.end_epoch == Fraction(112, LENGTH)
    assert cosine.flags == ()  # contiguous: [0, 112) then [112, 540)


def test_a_gap_is_flagged_and_a_window_past_the_end_is_a_warning(tmp_path):
    report = check(
        tmp_path,
        "[dict(type='LinearLR', start_factor=0.5, by_epoch=True, end=2),"
        " dict(type='CosineAnnealingLR', by_epoch=True, begin=4, end=20)]",
    )
    cosine = report.windows[1]
    assert cosine.flags == (
        'runs past the end of training',
        f'gap before it: lr held in iterations {2 * LENGTH}-{4 * LENGTH - 1}',
    )
    message = warnings_at(report)['param_scheduler.1']
    assert message.startswith('CosineAnnealingLR ends at iteration 900, after the end of')
    assert 'were iterations meant?' in message
    assert report.errors == []


def test_a_window_after_the_end_never_acts(tmp_path):
    report = check(
        tmp_path,
        "[dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=100),"
        " dict(type='StepLR', by_epoch=False, step_size=5, begin=200, end=300)]",
        'dict(_delete_=True, by_epoch=False, max_iters=150)',
    )
    step = report.windows[1]
    assert 'never acts' in step.flags
    assert warnings_at(report)['param_scheduler.1'] == (
        'StepLR begins at iteration 200, at or after the end of training (iteration 150): it '
        'never acts'
    )
    # lr is held after iteration 99 (50 of 150 iterations) at the cosine's value for t = 99
    # of T_max = 100 (it would reach eta_min = 0 at t = 100, outside its window)
    held = 0.01 * (1 + math.cos(math.pi * 99 / 100)) / 2
    assert warnings_at(report)['param_scheduler.0'] == (
        f'lr is not scheduled after iteration 99: it stays at {held:.6g} for the last 50 of '
        '150 iterations (33% of training)'
    )


@pytest.mark.parametrize(('end', 'warned'), [(989, True), (990, False)])
def test_an_unscheduled_tail_is_a_warning_above_one_percent(tmp_path, end, warned):
    report = check(
        tmp_path,
        f"[dict(type='LinearLR', start_factor=0.5, by_epoch=False, begin=0, end={end})]",
        'dict(_delete_=True, by_epoch=False, max_iters=1000)',
    )
    assert ('param_scheduler.0' in warnings_at(report)) is warned
    assert (report.windows[0].flags == ('lr held after it',)) is warned


def test_milestones_after_the_end_are_the_builders_warning(tmp_path):
    report = check(tmp_path, "dict(type='MultiStepLR', by_epoch=True, milestones=[8, 14])")
    message = warnings_at(report)['param_scheduler']
    assert 'milestones [14]' in message and 'never apply' in message


def _window(key: str, begin: int, end: int | None, **fields) -> ScheduleWindow:
    values = dict(
        key_path=key,
        optimizer='',
        scheduler='LinearLR',
        param='lr',
        by_epoch=False,
        converted=False,
        begin_epoch=None,
        end_epoch=None,
        begin_iter=begin,
        end_iter=end,
    )
    values.update(fields)
    return ScheduleWindow(**values)


def test_coverage_is_per_optimizer_and_value():
    training = Training(by_epoch=False, max_iters=100)
    windows = [
        _window('a', 0, 100, optimizer='gen'),
        _window('b', 0, 50, optimizer='disc'),
        _window('c', 10, None, optimizer='disc', param='momentum'),
    ]
    flagged, tails = flag_coverage(windows, training)
    assert [w.flags for w in flagged] == [
        (),
        ('lr held after it',),
        ('momentum keeps its configured value before it',),
    ]
    [tail] = tails
    assert (tail.key_path, tail.optimizer, tail.covered) == ('b', 'disc', 50)
    assert tail.message() == (
        "lr of optimizer 'disc' is not scheduled after iteration 49: it stays at its last value "
        'for the last 50 of 100 iterations (50% of training)'
    )


def test_windows_without_an_epoch_length_are_compared_in_epochs():
    training = Training(by_epoch=True, max_epochs=10)  # the data could not be counted
    window = _window(
        'a', None, None, by_epoch=True, begin_epoch=Fraction(0), end_epoch=Fraction(12)
    )
    [flagged], [(key, message)] = window_warnings([window], training)
    assert flagged.flags == ('runs past the end of training',) and key == 'a'
    assert message.startswith('LinearLR ends at epoch 12, after the end of training (epoch 10)')
    assert flag_coverage([flagged], training) == ([flagged], [])
