"""Optimizers, optimizer wrappers and parameter schedulers (``cadence.optim``).

Mirrors ``mmengine.optim``: everything in :mod:`cadence.optim.optimizer` and
:mod:`cadence.optim.scheduler` is importable from here.
"""

from .optimizer import *  # noqa: F403
from .optimizer import __all__ as _optimizer_all
from .scheduler import *  # noqa: F403
from .scheduler import __all__ as _scheduler_all

__all__ = [*_optimizer_all, *_scheduler_all]
