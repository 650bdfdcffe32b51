"""Drive a list of schedulers through training exactly as the Runner does, fast.

The Runner steps every iteration-based scheduler after each iteration and every epoch-based one
after each epoch (:mod:`.stepping`). :func:`play` does the same, but wherever a single scheduler
is the only one changing a value for a stretch of iterations it takes that stretch in one
vectorised call (:meth:`~.base.CurveScheduler._advance_many`), which computes the very numbers
the step-by-step path would. The schedule preview (a million iterations in well under a second)
and resume (re-deriving the values at the checkpoint's position) both use it, so neither can
drift from training.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...errors import ConfigError
from .base import ParamScheduler
from .curve_scheduler import CurveScheduler


def read_value(group: dict, name: str) -> float:
    """``group[name]``; ``betas[0]`` for ``'momentum'`` on Adam-family groups; NaN if absent."""
    if name in group:
        value = group[name]
        return float(value) if isinstance(value, (int, float)) else math.nan
    if name == 'momentum' and isinstance(group.get('betas'), (tuple, list)):
        return float(group['betas'][0])
    return math.nan


def _columns(scheduler: ParamScheduler, groups: Sequence[dict]) -> list[int]:
    """Positions of ``groups`` in the scheduler's param groups (-1 where absent)."""
    position = {id(g): i for i, g in enumerate(scheduler.optimizer.param_groups)}
    return [position.get(id(g), -1) for g in groups]


class _Recorder:
    """Rows of values of the recorded param names, one row per iteration."""

    def __init__(self, names: Sequence[str], groups: Sequence[dict], rows: int) -> None:
        self.names = list(names)
        self.groups = list(groups)
        self.values = {name: np.empty((rows, len(self.groups))) for name in self.names}

    def snapshot(self, row: int, names: Sequence[str] | None = None) -> None:
        for name in self.names if names is None else names:
            if name in self.values:
                self.values[name][row] = [read_value(g, name) for g in self.groups]

    def fill(self, start: int, stop: int, names: Sequence[str]) -> None:
        """Rows ``start .. stop-1`` hold the current values (nothing changes them)."""
        for name in names:
            if name in self.values and stop > start:
                self.values[name][start:stop] = [read_value(g, name) for g in self.groups]

    def block(self, start: int, name: str, values: np.ndarray, columns: list[int]) -> None:
        if name not in self.values:
            return
        target = self.values[name][start : start + len(values)]
        for out_col, in_col in enumerate(columns):
            if in_col >= 0:
                target[:, out_col] = values[:, in_col]


def play(
    schedulers: Sequence[ParamScheduler],
    *,
    iterations: int,
    epoch_length: int | None,
    epochs: int | None = None,
    record: Sequence[str] = (),
    groups: Sequence[dict] = (),
    after_epoch: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Run ``iterations`` training iterations' worth of scheduler steps.

    ``schedulers`` must be as the Runner holds them before training: built, with their
    construction step done. After iteration ``i`` the iteration-based schedulers step; when
    ``i + 1`` is a multiple of ``epoch_length`` the epoch-based ones step too (at most ``epochs``
    times in all), then ``after_epoch(epochs_done)`` runs.

    Returns, for each name in ``record``, an array of shape ``(iterations + 1, len(groups))``:
    row ``i`` holds the values in force during iteration ``i`` (row 0: before training).
    """
    by_iter = [s for s in schedulers if not s.by_epoch]
    by_epoch = [s for s in schedulers if s.by_epoch]
    if by_epoch and epoch_length is None and iterations > 0 and epochs != 0:
        raise ConfigError(
            'the epoch length (iterations per epoch) is needed to interleave epoch-based and '
            'iteration-based schedulers'
        )
    recorder = _Recorder(record, groups, iterations + 1)
    recorder.snapshot(0)
    names = list(dict.fromkeys([*record, *(s.param_name for s in by_iter)]))
    cuts = sorted({c for s in by_iter for c in (s.begin, s._stop)})
    epochs_done = 0
    event = 1
    while event <= iterations:
        stop = iterations + 1
        for cut in cuts:
            if cut > event:
                stop = min(stop, cut)
                break
        steps_epochs = bool(by_epoch) and (epochs is None or epochs_done < epochs)
        if steps_epochs:
            boundary = -(-event // epoch_length) * epoch_length
            stop = min(stop, boundary + 1)
        _play_chunk(by_iter, event, stop, names, recorder)
        if steps_epochs and (stop - 1) % epoch_length == 0:
            for scheduler in by_epoch:
                scheduler.step()
            epochs_done += 1
            if after_epoch is not None:
                after_epoch(epochs_done)
            recorder.snapshot(stop - 1)
        event = stop
    return recorder.values


def _play_chunk(
    by_iter: list[ParamScheduler], first: int, stop: int, names: list[str], recorder: _Recorder
) -> None:
    """Events ``first .. stop-1``, over which no iteration scheduler starts or stops acting."""
    count = stop - first
    active: dict[str, list[ParamScheduler]] = {}
    for scheduler in by_iter:
        if scheduler.begin <= first < scheduler._stop:
            active.setdefault(scheduler.param_name, []).append(scheduler)
        else:
            scheduler._global_step += count  # stepping outside its window only counts
    quiet = [name for name in names if name not in active]
    recorder.fill(first, stop, quiet)
    for name, acting in active.items():
        single = acting[0] if len(acting) == 1 else None
        if isinstance(single, CurveScheduler):
            single.step()
            recorder.snapshot(first, [name])
            if count > 1:
                values = single._advance_many(count - 1)
                recorder.block(first + 1, name, values, _columns(single, recorder.groups))
            continue
        for event in range(first, stop):
            for scheduler in acting:
                scheduler.step()
            recorder.snapshot(event, [name])


def flat(schedulers: Any) -> list[ParamScheduler]:
    """A list of schedulers from a list, a dict of lists (several optimizers) or ``None``."""
    if schedulers is None:
        return []
    if isinstance(schedulers, dict):
        return [s for group in schedulers.values() for s in flat(group)]
    if isinstance(schedulers, (list, tuple)):
        return list(schedulers)
    return [schedulers]
