"""What ``ParamSchedulerHook`` calls, and when (reference §5).

* after every training iteration: :func:`step_after_train_iter` (``by_epoch=False`` schedulers);
* after every training epoch: :func:`step_after_train_epoch` (``by_epoch=True`` schedulers;
  ReduceOnPlateau only counts the epoch);
* after every validation: :func:`step_after_val_epoch` (ReduceOnPlateau reacts to the metrics).

``schedulers`` is what :func:`~.builder.build_param_schedulers` returned: a list, a dict of
lists (one per optimizer), or ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .timeline import flat


def step_after_train_iter(schedulers: Any) -> None:
    """Step every iteration-based scheduler, in list order."""
    for scheduler in schedulers if isinstance(schedulers, list) else flat(schedulers):
        if not scheduler.by_epoch:
            scheduler.step()


def step_after_train_epoch(schedulers: Any) -> None:
    """Step every epoch-based scheduler, in list order."""
    for scheduler in schedulers if isinstance(schedulers, list) else flat(schedulers):
        if scheduler.by_epoch:
            scheduler.step()


def step_after_val_epoch(schedulers: Any, metrics: Mapping[str, Any] | None) -> None:
    """Give validation ``metrics`` to the schedulers that react to them (ReduceOnPlateau)."""
    if metrics is None:
        return
    for scheduler in flat(schedulers):
        if scheduler.by_epoch and getattr(scheduler, 'need_val_args', False):
            scheduler.step(metrics)
