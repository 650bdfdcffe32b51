"""Training curves from scalar logs: finding, reading, choosing and drawing them."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

from cadence.errors import ConfigError
from cadence.visualization import (
    find_scalar_log,
    load_training_log,
    plot_panels,
    render_curve,
    render_panel,
    select_panels,
)
from cadence.visualization.training_curves import Curve, Panel, step_series

EPOCH_RUN = [
    {'lr': 0.01, 'lr/head': 0.1, 'loss': 2.0, 'time': 0.1, 'epoch': 1, 'iter': 5, 'step': 5},
    {'lr': 0.02, 'lr/head': 0.2, 'loss': 1.0, 'time': 0.1, 'epoch': 1, 'iter': 10, 'step': 10},
    {'accuracy/top1': 80.0, 'accuracy/top5': 95.0, 'time': 0.01, 'step': 1},
    {'lr': 0.03, 'lr/head': 0.3, 'loss': 'nan', 'time': 0.1, 'epoch': 2, 'iter': 15, 'step': 15},
    {'lr': 0.04, 'lr/head': 0.4, 'loss': 0.5, 'time': 0.1, 'epoch': 2, 'iter': 20, 'step': 20},
    {'accuracy/top1': 90.0, 'accuracy/top5': 99.0, 'time': 0.01, 'step': 2},
]


def _write(path, records, tail=''):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        for record in records:
            handle.write(json.dumps(record) + '\n')
        handle.write(tail)
    return str(path)


def test_epoch_run_curves_and_units(tmp_path):
    path = _write(tmp_path / 'scalars.json', EPOCH_RUN, tail='{"loss": 0.4, "it')  # killed
    log = load_training_log(path)
    assert log.bad_lines == 1 and log.val_unit == 'epoch'
    assert list(log.train) == ['lr', 'lr/head', 'loss', 'time']
    assert list(log.val) == ['accuracy/top1', 'accuracy/top5', 'time']
    loss = log.train['loss']
    assert loss.steps.tolist() == [5, 10, 15, 20]
    assert loss.values[:2].tolist() == [2.0, 1.0] and math.isnan(loss.values[2])
    assert log.val['accuracy/top1'].steps.tolist() == [1, 2]
    assert log.available() == (
        'train: lr, lr/head, loss, time; val: accuracy/top1, accuracy/top5, time'
    )


def test_iteration_runs_and_hierarchical_names(tmp_path):
    records = [
        {'train/loss': 1.0, 'train/lr': 0.1, 'iter': 50, 'step': 50},
        {'val/accuracy/top1': 70.0, 'val/time': 0.1, 'step': 100},
        {'train/loss': 0.5, 'train/lr': 0.1, 'iter': 100, 'step': 100},
    ]
    log = load_training_log(_write(tmp_path / 'scalars.json', records))
    assert log.val_unit == 'iteration'  # no 'epoch' in the train lines
    assert list(log.train) == ['loss', 'lr'] and list(log.val) == ['accuracy/top1', 'time']
    assert log.val['accuracy/top1'].steps.tolist() == [100]


def test_validation_at_iterations_in_an_epoch_run_is_recognised(tmp_path):
    # LoggerHook(log_metric_by_epoch=False): validation steps are iterations (10, 20)
    records = [r for r in EPOCH_RUN if 'iter' in r]
    records.insert(2, {'accuracy/top1': 80.0, 'step': 10})
    records.append({'accuracy/top1': 90.0, 'step': 20})
    assert load_training_log(_write(tmp_path / 's.json', records)).val_unit == 'iteration'


def test_find_the_latest_run_a_run_folder_or_the_file(tmp_path):
    old = _write(tmp_path / '20260101_090000' / 'vis_data' / 'scalars.json', EPOCH_RUN)
    new = _write(tmp_path / '20260102_080000' / 'vis_data' / 'scalars.json', EPOCH_RUN)
    os.makedirs(tmp_path / '20260103_000000')  # a run that has not logged yet
    assert find_scalar_log(tmp_path) == new
    assert find_scalar_log(tmp_path / '20260101_090000') == old
    assert find_scalar_log(old) == old
    with pytest.raises(ConfigError, match='no <run>/vis_data/scalars.json under'):
        find_scalar_log(tmp_path / '20260103_000000')
    with pytest.raises(ConfigError, match='does not exist'):
        find_scalar_log(tmp_path / 'missing')


def test_default_panels_and_chosen_keys(tmp_path):
    log = load_training_log(_write(tmp_path / 'scalars.json', EPOCH_RUN))
    panels = select_panels(log)
    assert [(p.title, p.unit, [c.name for c in p.curves]) for p in panels] == [
        ('train lr', 'iteration', ['lr', 'lr/head']),
        ('train loss', 'iteration', ['loss']),
        ('val accuracy/top1', 'epoch', ['accuracy/top1']),
        ('val accuracy/top5', 'epoch', ['accuracy/top5']),
    ]
    panels = select_panels(log, ['accuracy', 'time', 'lr'])
    assert [(p.title, [c.name for c in p.curves]) for p in panels] == [
        ('train time', ['time']),
        ('train lr', ['lr', 'lr/head']),
        ('val accuracy', ['accuracy/top1', 'accuracy/top5']),
        ('val time', ['time']),
    ]


def test_missing_keys_list_what_there_is(tmp_path):
    log = load_training_log(_write(tmp_path / 'scalars.json', EPOCH_RUN))
    with pytest.raises(ConfigError) as info:
        select_panels(log, ['los', 'lr', 'grad_norm'])
    message = str(info.value)
    assert message.startswith("--keys: no curve 'los' (did you mean 'loss'?), 'grad_norm' in ")
    assert message.endswith(
        'Available keys: train: lr, lr/head, loss, time; val: accuracy/top1, accuracy/top5, time'
    )


def test_step_series_holds_values_between_logged_steps():
    panel = Panel(
        'p',
        'train',
        'iteration',
        [
            Curve('a', np.array([10.0, 12.0]), np.array([1.0, 2.0])),
            Curve('b', np.array([11.0]), np.array([5.0])),
        ],
    )
    first, stride, series = step_series(panel)
    assert (first, stride) == (10, 1)
    (_, a), (_, b) = series
    assert a.tolist() == [1.0, 1.0, 2.0]
    assert math.isnan(b[0]) and b[1:].tolist() == [5.0, 5.0]
    first, stride, series = step_series(panel, max_points=2)
    assert (first, stride) == (10, 2) and series[0][1].tolist() == [1.0, 2.0]


def test_render_curve_axis_can_start_anywhere_and_count_anything():
    text = render_curve(
        [('acc', np.array([1.0, 2.0, 3.0]))], width=40, height=4, x_label='epoch', x_start=5
    )
    axis = text.splitlines()[-2]
    assert axis.split()[:2] == ['epoch', '5'] and axis.split()[-1] == '7'


def test_terminal_panel(tmp_path):
    log = load_training_log(_write(tmp_path / 'scalars.json', EPOCH_RUN))
    lr, _, top1, _ = select_panels(log)
    text = render_panel(lr, width=60, height=6)
    lines = text.splitlines()
    assert lines[0] == 'train lr' and all(len(line) <= 60 for line in lines)
    assert lines[-2].split()[:2] == ['iter', '5'] and lines[-2].split()[-1] == '20'
    assert lines[-1].split() == ['*', 'lr', 'o', 'lr/head']
    assert render_panel(top1, width=60, height=6).splitlines()[-2].split()[:2] == ['epoch', '1']


def test_image(tmp_path):
    from matplotlib.image import imread

    log = load_training_log(_write(tmp_path / 'scalars.json', EPOCH_RUN))
    panels = select_panels(log)
    plot_panels(panels, tmp_path / 'curves.png', title='run', dpi=50)
    image = imread(str(tmp_path / 'curves.png'))
    assert image.shape[1] == 9 * 50 and image.shape[0] == int((2.6 * 4 + 0.6) * 50)
