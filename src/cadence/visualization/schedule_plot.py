"""Schedules as a PNG: one panel per value, iterations below, epochs above (matplotlib, Agg).

matplotlib is imported here, inside the function, and used through its object API (no pyplot,
no global backend switch), so a preview never opens a window or touches a user's figures.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from .schedule_text import PARAM_TITLES

#: Curves are reduced to at most this many points (each column keeps its minimum and maximum).
MAX_POINTS = 4000


def _reduce(values: np.ndarray, points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` with the shape of the curve kept: min and max of each bucket of iterations."""
    count = len(values)
    if count <= points:
        return np.arange(count), values
    buckets = points // 2
    edges = np.linspace(0, count, buckets + 1).astype(np.int64)
    lows = np.minimum.reduceat(values, edges[:-1])
    highs = np.maximum.reduceat(values, edges[:-1])
    firsts = values[edges[:-1]]
    x = np.repeat(edges[:-1], 2)
    y = np.empty(2 * buckets)
    # draw the bucket's first value first, so a step down is drawn as a drop
    first_is_high = firsts >= highs
    y[0::2] = np.where(first_is_high, highs, lows)
    y[1::2] = np.where(first_is_high, lows, highs)
    return x, y


def plot_schedule(
    preview: Any,
    params: Sequence[str],
    path: str | os.PathLike,
    *,
    title: str | None = None,
    dpi: int = 100,
) -> None:
    """Write a PNG of ``params`` of a :class:`~cadence.optim.scheduler.ScheduleValues`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 2.6 * len(params) + 0.6), dpi=dpi, layout='constrained')
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(params), 1, sharex=True, squeeze=False)[:, 0]
    length = preview.epoch_length
    for ax, param in zip(axes, params):
        for label, column in preview.distinct_groups(param):
            x, y = _reduce(preview.values[param][:, column])
            ax.plot(x, y, drawstyle='steps-post', linewidth=1.4, label=label)
        points = preview.turning_points(param)
        for _, column in preview.distinct_groups(param):
            ax.plot([p.iteration for p in points], [p.values[column] for p in points], 'o',
                    markersize=3, color='0.3')  # fmt: skip
        ax.set_ylabel(PARAM_TITLES.get(param, param))
        ax.grid(True, alpha=0.3)
        ax.ticklabel_format(axis='y', style='sci', scilimits=(-3, 3))
        if len(preview.distinct_groups(param)) > 1:
            ax.legend(fontsize='small')
        if length:
            top = ax.secondary_xaxis('top', functions=(lambda i: i / length, lambda e: e * length))
            if ax is axes[0]:
                top.set_xlabel('epoch')
            else:
                top.tick_params(labeltop=False)
    axes[-1].set_xlabel('iteration')
    axes[-1].set_xlim(0, max(preview.iterations - 1, 1))
    if title:
        figure.suptitle(title)
    figure.savefig(os.fspath(path), format='png')
