"""Schedules as text: a character plot of the curves and the table of turning points.

Everything here returns strings of a fixed width, so it renders the same in any terminal and in
tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Titles of the usual scheduled values.
PARAM_TITLES = {'lr': 'Learning Rate', 'momentum': 'Momentum', 'weight_decay': 'Weight Decay'}
MARKERS = '*o+x#@%&'


def _number(value: float) -> str:
    return 'nan' if math.isnan(value) else f'{value:.4g}'


def render_curve(
    series: Sequence[tuple[str, np.ndarray]],
    *,
    width: int = 80,
    height: int = 16,
    epoch_length: int | None = None,
    title: str = '',
    x_label: str = 'iter',
    x_start: int = 0,
) -> str:
    """Draw ``(label, values per iteration)`` curves in ``width`` x ``height`` characters.

    Each column covers a range of iterations and shows every value taken in it (a vertical bar
    for a jump); one marker per curve, later curves drawn over earlier ones. Element ``i`` is at
    ``x_start + i`` on the axis labelled ``x_label``.
    """
    count = len(series[0][1]) if series else 0
    if count == 0:
        return title
    data = [np.asarray(values, dtype=np.float64) for _, values in series]
    finite = np.concatenate([d[np.isfinite(d)] for d in data]) if data else np.array([])
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if high == low:
        high, low = high + (abs(high) or 1.0) * 0.5, low - (abs(low) or 1.0) * 0.5
    middle = (height - 1) // 2
    labels = [_number(high), _number(high - (high - low) * middle / (height - 1)), _number(low)]
    margin = max(len(text) for text in labels) + 1
    columns = max(width - margin - 1, 10)
    grid = [[' '] * columns for _ in range(height)]

    def row_of(value: float) -> int:
        return round((high - value) / (high - low) * (height - 1))

    edges = np.linspace(0, count, columns + 1).astype(np.int64)
    for index, values in enumerate(data):
        marker = MARKERS[index % len(MARKERS)]
        for column in range(columns):
            start, stop = edges[column], max(edges[column + 1], edges[column] + 1)
            chunk = values[start : min(stop, count)]
            chunk = chunk[np.isfinite(chunk)]
            if chunk.size == 0:
                continue
            top, bottom = row_of(float(chunk.max())), row_of(float(chunk.min()))
            for row in range(top, bottom + 1):
                grid[row][column] = marker
    lines = [title] if title else []
    label_rows = {0: labels[0], middle: labels[1], height - 1: labels[2]}
    for row, cells in enumerate(grid):
        lines.append(f'{label_rows.get(row, ""):>{margin - 1}} |' + ''.join(cells))
    lines.append(' ' * margin + '+' + '-' * (columns - 1))
    lines.append(
        _axis(' ' * (margin + 1), columns, x_start, x_start + count - 1, x_label, whole=True)
    )
    if epoch_length:
        lines.append(_axis(' ' * (margin + 1), columns, 0, count / epoch_length, 'epoch'))
    legend = '  '.join(
        f'{MARKERS[i % len(MARKERS)]} {label}' for i, (label, _) in enumerate(series)
    )
    lines.append(' ' * (margin + 1) + legend)
    return '\n'.join(lines)


def _axis(
    indent: str, columns: int, first: float, last: float, unit: str, whole: bool = False
) -> str:
    """``unit first`` at the left end, the middle value, ``last`` at the right end."""
    left = f'{unit} {first:g}'
    centre_value = (first + last) / 2
    middle = f'{round(centre_value) if whole else centre_value:g}'
    right = f'{last:g}'
    text = left.ljust(columns)
    centre = max((columns - len(middle)) // 2, len(left) + 1)
    text = text[:centre] + middle + text[centre + len(middle) :]
    return indent + text[: columns - len(right)].ljust(columns - len(right)) + right


def render_turning_points(
    param: str,
    rows: Sequence[tuple[int, str, Sequence[float]]],
    columns: Sequence[str],
    epoch_length: int | None = None,
) -> str:
    """A table: iteration, epoch, one value column per curve, and what happens there.

    ``rows`` are ``(iteration, label, values)`` with one value per entry of ``columns``.
    """
    header = ['iteration', *(['epoch'] if epoch_length else []), *columns, 'event']
    body = []
    for iteration, label, values in rows:
        cells = [str(iteration)]
        if epoch_length:
            cells.append(f'{iteration / epoch_length:g}')
        cells += [f'{v:.6g}' for v in values]
        cells.append(label)
        body.append(cells)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) for c, w in zip(cells[:-1], widths[:-1])]
        return '  '.join([*parts, cells[-1]]).rstrip()

    title = f'{PARAM_TITLES.get(param, param)} ({param}): turning points'
    return '\n'.join([title, line(header), *(line(r) for r in body)])
