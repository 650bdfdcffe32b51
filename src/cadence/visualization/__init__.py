"""Schedule plots: a PNG through matplotlib, and text for the terminal.

Both render a :class:`~cadence.optim.scheduler.preview.ScheduleValues` (what ``cadence schedule``
computes); matplotlib is imported only when a PNG is drawn.
"""

from .schedule_plot import plot_schedule
from .schedule_text import PARAM_TITLES, render_curve, render_turning_points

__all__ = ['PARAM_TITLES', 'plot_schedule', 'render_curve', 'render_turning_points']
