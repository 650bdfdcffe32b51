"""``ParamSchedulerHook``: steps the parameter schedulers at the right moments.

It calls the scheduler package's stepping functions — the same ones the schedule preview
(``cadence schedule``) runs — so what the preview shows is what training does.
"""

from __future__ import annotations

from typing import Any

from ..registry import HOOKS
from .hook import Hook


def _stepping_functions() -> tuple[Any, Any, Any]:
    from ..optim.scheduler import (
        step_after_train_epoch,
        step_after_train_iter,
        step_after_val_epoch,
    )

    return step_after_train_iter, step_after_train_epoch, step_after_val_epoch


@HOOKS.register_module()
class ParamSchedulerHook(Hook):
    """Iteration-based schedulers step after every training iteration, epoch-based ones after
    every epoch, and metric-driven ones (ReduceOnPlateau) after validation."""

    priority = 'LOW'

    def __init__(self) -> None:
        self._steppers: tuple[Any, Any, Any] | None = None

    def _load(self) -> tuple[Any, Any, Any]:
        self._steppers = _stepping_functions()
        return self._steppers

    def before_train(self, runner) -> None:
        if runner.param_schedulers is not None:
            self._load()

    def after_train_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        schedulers = runner.param_schedulers
        if schedulers is not None:
            (self._steppers or self._load())[0](schedulers)

    def after_train_epoch(self, runner) -> None:
        schedulers = runner.param_schedulers
        if schedulers is not None:
            (self._steppers or self._load())[1](schedulers)

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        schedulers = runner.param_schedulers
        if schedulers is not None and metrics is not None:
            (self._steppers or self._load())[2](schedulers, metrics)
