"""``cadence check``: build everything a training run needs without training, and report every
config error at once (see ``docs/check.md``)."""

from .check_config import CHECKS, check_config
from .findings import Finding
from .render_rich import render_rich
from .render_text import render_text
from .report import CheckReport, DataSummary, HookRow, LoaderInfo, ScheduleWindow, TurningPoints

__all__ = [
    'CHECKS',
    'CheckReport',
    'DataSummary',
    'Finding',
    'HookRow',
    'LoaderInfo',
    'ScheduleWindow',
    'TurningPoints',
    'check_config',
    'render_rich',
    'render_text',
]
