"""The terminal rendering of schedules: fixed-width text, tested as strings."""

from __future__ import annotations

import numpy as np

from cadence.visualization import render_curve, render_turning_points


def test_step_curve_is_drawn_where_it_is():
    values = np.array([1.0] * 50 + [0.5] * 50)
    text = render_curve([('lr', values)], width=40, height=5, epoch_length=10, title='t')
    lines = text.splitlines()
    assert lines[0] == 't'
    plot = lines[1:6]
    assert all(len(line) <= 40 for line in lines)
    assert [line.split('|')[0].strip() for line in plot] == ['1', '', '0.75', '', '0.5']
    top, bottom = plot[0].split('|')[1], plot[4].split('|')[1]
    half = len(top) // 2
    assert set(top[: half - 1]) == {'*'} and set(top[half + 1 :]) == {' '}
    assert set(bottom[: half - 1]) == {' '} and set(bottom[half + 1 :]) == {'*'}
    assert lines[7].strip().startswith('iter 0') and lines[7].rstrip().endswith('99')
    assert lines[8].strip().startswith('epoch 0') and lines[8].rstrip().endswith('10')
    assert lines[9].strip() == '* lr'


def test_two_curves_get_two_markers_and_a_legend():
    text = render_curve([('lr [a]', np.linspace(0, 1, 30)), ('lr [b]', np.linspace(1, 0, 30))],
                        width=30, height=6)  # fmt: skip
    assert '*' in text and 'o' in text
    assert text.splitlines()[-1].strip() == '* lr [a]  o lr [b]'


def test_constant_curve_sits_on_its_label():
    text = render_curve([('wd', np.full(20, 1e-4))], width=30, height=7)
    row = next(line for line in text.splitlines() if '*' in line)
    assert row.split('|')[0].strip() == '0.0001'


def test_turning_point_table():
    table = render_turning_points(
        'lr', [(0, 'start', [1e-4, 1e-3]), (49, 'LinearLR ends', [0.1, 1.0])], ['lr [a]', 'lr [b]'],
        epoch_length=10,
    )  # fmt: skip
    assert table.splitlines() == [
        'Learning Rate (lr): turning points',
        'iteration  epoch  lr [a]  lr [b]  event',
        '        0      0  0.0001   0.001  start',
        '       49    4.9     0.1       1  LinearLR ends',
    ]
