"""Plots: schedules (``cadence schedule``) and training curves (``cadence plot``), as PNG
through matplotlib (imported only when an image is drawn) and as text for the terminal."""

from .curves_plot import plot_panels
from .curves_text import render_panel
from .schedule_plot import plot_schedule
from .schedule_text import PARAM_TITLES, render_curve, render_turning_points
from .training_curves import (
    Curve,
    Panel,
    TrainingLog,
    find_scalar_log,
    load_training_log,
    select_panels,
)

__all__ = [
    'PARAM_TITLES',
    'Curve',
    'Panel',
    'TrainingLog',
    'find_scalar_log',
    'load_training_log',
    'plot_panels',
    'plot_schedule',
    'render_curve',
    'render_panel',
    'render_turning_points',
    'select_panels',
]
