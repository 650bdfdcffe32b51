"""Training curves in the terminal, drawn with the schedule preview's renderer."""

from __future__ import annotations

from .schedule_text import render_curve
from .training_curves import Panel, step_series

#: Axis names of the units a panel's steps count.
UNIT_LABELS = {'iteration': 'iter', 'epoch': 'epoch'}


def render_panel(panel: Panel, *, width: int = 80, height: int = 12) -> str:
    """One panel as text: its curves against the step, ``width`` x ``height`` characters."""
    first, stride, series = step_series(panel)
    label = UNIT_LABELS.get(panel.unit, panel.unit)
    if stride > 1:
        label = f'{label}/{stride}'
    return render_curve(
        series,
        width=width,
        height=height,
        title=panel.title,
        x_label=label,
        x_start=first // stride,
    )
