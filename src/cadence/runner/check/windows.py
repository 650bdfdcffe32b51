"""Scheduler windows in epochs and iterations, and what is odd about them.

Pure functions of built schedulers and the training length. Flags are remarks shown next to a
window (overlaps, gaps). Warnings: a window that starts at or after the end of training, one
that runs past it (:func:`window_warnings`), and a value left unscheduled for more than 1% of
training at the end (:func:`flag_coverage`'s tails).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from ...optim.scheduler.curves import INF
from .context import Training
from .report import ScheduleWindow

#: A value left unscheduled at the end for more than this share of training gets a warning.
TAIL_TOLERANCE = 0.01


def window_of(
    optimizer: str, key_path: str, item: Any, scheduler: Any, training: Training
) -> ScheduleWindow:
    """The window of a built scheduler (``item`` is its config, for ``convert_to_iter_based``)."""
    length = training.epoch_length
    stop = getattr(scheduler, '_stop', scheduler.end)  # where it stops acting (curve length)
    finite = stop < INF
    begin, end = scheduler.begin, stop if finite else None
    if scheduler.by_epoch:
        begin_epoch, end_epoch = Fraction(begin), None if end is None else Fraction(end)
        begin_iter = begin * length if length else None
        end_iter = end * length if length and end is not None else None
    else:
        begin_iter, end_iter = begin, end
        begin_epoch = Fraction(begin, length) if length else None
        end_epoch = Fraction(end, length) if length and end is not None else None
    converted = isinstance(item, Mapping) and item.get('convert_to_iter_based') is True
    return ScheduleWindow(
        key_path=key_path,
        optimizer=optimizer,
        scheduler=type(scheduler).__name__,
        param=scheduler.param_name,
        by_epoch=bool(scheduler.by_epoch),
        converted=converted,
        begin_epoch=begin_epoch,
        end_epoch=end_epoch,
        begin_iter=begin_iter,
        end_iter=end_iter,
        flags=('reacts to validation',) if getattr(scheduler, 'need_val_args', False) else (),
    )


def _span(window: ScheduleWindow, training: Training) -> tuple[Any, Any, Any, str] | None:
    """``(begin, end, end of training, unit)`` in a unit both are known in, else ``None``."""
    total = training.iterations
    if window.begin_iter is not None and total is not None:
        return window.begin_iter, window.end_iter, total, 'iteration'
    if window.by_epoch and training.by_epoch and training.max_epochs is not None:
        return window.begin_epoch, window.end_epoch, training.max_epochs, 'epoch'
    return None


def _number(value: Any) -> str:
    if isinstance(value, Fraction) and value.denominator != 1:
        return f'{float(value):g}'
    return str(int(value))


def window_warnings(
    windows: Sequence[ScheduleWindow], training: Training
) -> tuple[list[ScheduleWindow], list[tuple[str, str]]]:
    """Flag and warn about windows that never act or run past the end of training; returns
    the windows (with flags) and ``(key path, message)`` warnings."""
    flagged, found = [], []
    for window in windows:
        span = _span(window, training)
        if span is None or 'reacts to validation' in window.flags:
            flagged.append(window)
            continue
        begin, end, horizon, unit = span
        name, last = window.scheduler, f'{unit} {_number(horizon)}'
        if begin >= horizon:
            window = replace(window, flags=(*window.flags, 'never acts'))
            message = (
                f'{name} begins at {unit} {_number(begin)}, at or after the end of training '
                f'({last}): it never acts'
            )
            found.append((window.key_path, message))
        elif end is not None and end > horizon:
            window = replace(window, flags=(*window.flags, 'runs past the end of training'))
            message = (
                f'{name} ends at {unit} {_number(end)}, after the end of training ({last}): '
                'the rest of its schedule never applies'
            )
            if window.by_epoch and not window.converted:
                message += ' (by_epoch=True counts begin and end in epochs; were iterations meant?)'
            found.append((window.key_path, message))
        flagged.append(window)
    return flagged, found


@dataclass(frozen=True)
class Tail:
    """``param`` of ``optimizer`` is scheduled up to iteration ``covered`` (exclusive) only,
    by the window at ``key_path``, and held for the ``total - covered`` iterations after."""

    key_path: str
    optimizer: str
    param: str
    covered: int
    total: int

    def message(self, value: float | None = None) -> str:
        held = self.total - self.covered
        owner = f' of optimizer {self.optimizer!r}' if self.optimizer else ''
        stays = 'its last value' if value is None else f'{value:.6g}'
        return (
            f'{self.param}{owner} is not scheduled after iteration {self.covered - 1}: it '
            f'stays at {stays} for the last {held} of {self.total} iterations '
            f'({100 * held / self.total:.0f}% of training)'
        )


def flag_coverage(
    windows: list[ScheduleWindow], training: Training
) -> tuple[list[ScheduleWindow], list[Tail]]:
    """Flag overlaps and gaps between the windows acting on the same value of the same
    optimizer, and find values left unscheduled for more than 1% of training at the end.

    Needs every window in iterations; returns the windows (with flags) and those tails.
    """
    total = training.iterations
    flags: dict[int, list[str]] = {i: list(w.flags) for i, w in enumerate(windows)}
    tails: list[Tail] = []
    lanes: dict[tuple[str, str], list[int]] = {}
    for index, window in enumerate(windows):
        if 'reacts to validation' not in window.flags:
            lanes.setdefault((window.optimizer, window.param), []).append(index)
    for (optimizer, param), members in lanes.items():
        if total is None or any(windows[i].begin_iter is None for i in members):
            continue
        members = [i for i in members if windows[i].begin_iter < total]
        members.sort(key=lambda i: windows[i].begin_iter)
        covered, last = 0, None
        for index in members:
            window = windows[index]
            begin, end = window.begin_iter, window.end_iter if window.end_iter is not None else INF
            if last is None and begin > 0:
                flags[index].append(f'{param} keeps its configured value before it')
            elif last is not None and begin < covered:
                flags[index].append(f'overlaps #{last} (both change {param})')
            elif last is not None and begin > covered:
                flags[index].append(
                    f'gap before it: {param} held in iterations {covered}-{begin - 1}'
                )
            if last is None or end >= covered:
                covered, last = max(covered, end), index
        held = total - covered
        if last is not None and held > TAIL_TOLERANCE * total:
            flags[last].append(f'{param} held after it')
            tails.append(Tail(windows[last].key_path, optimizer, param, covered, total))
    flagged = [replace(w, flags=tuple(flags[i])) for i, w in enumerate(windows)]
    return flagged, tails
