"""The schedule preview: every scheduled value for every iteration, from the config alone.

:func:`schedule_values` builds the optimizer's param groups without data or weights (the model
on the ``meta`` device when it can be built, else one group with the optimizer's base values),
builds the schedulers with :func:`~.builder.build_param_schedulers` exactly as the Runner does,
and drives them with :func:`~.timeline.play`, the code resume uses. So the preview shows the
numbers training will use, to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import ConfigError, short_repr
from .base import ParamScheduler
from .builder import build_param_schedulers
from .curve_scheduler import CurveScheduler
from .curves import CosineCurve, CosineRestartCurve, MultiStepCurve, OneCycleCurve, StepCurve
from .plateau import ReduceOnPlateauParamScheduler
from .timeline import flat, play, read_value
from .training import TrainingLength, optimizer_for_preview, training_length

#: The values the preview shows by default.
DEFAULT_PARAMS = ('lr', 'momentum', 'weight_decay')
#: At most this many turning points per scheduler for periodic events (Step decays).
MAX_PERIODIC_POINTS = 12


@dataclass(frozen=True)
class TurningPoint:
    """A notable iteration of the schedule and the values then in force."""

    iteration: int
    label: str
    values: tuple[float, ...]


@dataclass
class ScheduleValues:
    """What :func:`schedule_values` computed.

    Attributes:
        values: For each param name, an array ``(iterations, groups)``: the value in force
            during each iteration for each param group.
        group_labels: One label per group (column).
        training: The training length the values were computed for.
        events: Per param name, ``(iteration, label)`` of the schedule's notable points.
        notes: Anything the user should know about how the preview was made.
    """

    values: dict[str, np.ndarray]
    group_labels: list[str]
    training: TrainingLength
    events: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def iterations(self) -> int:
        return self.training.iterations

    @property
    def epoch_length(self) -> int | None:
        return self.training.epoch_length

    def epochs(self) -> np.ndarray | None:
        """Epoch of each iteration (``iteration / epoch_length``), if the epoch length is known."""
        length = self.training.epoch_length
        return None if not length else np.arange(self.iterations) / length

    def distinct_groups(self, param: str) -> list[tuple[str, int]]:
        """``(label, column)`` for each distinct curve of ``param`` (identical groups merged)."""
        data = self.values[param]
        seen: list[tuple[list[int], int]] = []
        for column in range(data.shape[1]):
            for members, first in seen:
                if np.array_equal(data[:, first], data[:, column], equal_nan=True):
                    members.append(column)
                    break
            else:
                seen.append(([column], column))
        if len(seen) == 1:
            return [(param, seen[0][1])]
        out = []
        for members, first in seen:
            names = ', '.join(self.group_labels[m] for m in members)
            out.append((f'{param} [{names}]', first))
        return out

    def to_csv(self, path: Any, params: Sequence[str]) -> None:
        """Write ``iteration, epoch, <param>[<group>]...`` for every iteration (exact values)."""
        columns = [np.arange(self.iterations, dtype=np.float64)]
        header = ['iteration']
        epochs = self.epochs()
        if epochs is not None:
            columns.append(epochs)
            header.append('epoch')
        for param in params:
            for label, column in self.distinct_groups(param):
                columns.append(self.values[param][:, column])
                header.append(label.replace(',', ';'))
        np.savetxt(path, np.column_stack(columns), delimiter=',', header=','.join(header),
                   comments='', fmt=['%d'] + ['%.17g'] * (len(columns) - 1))  # fmt: skip

    def turning_points(self, param: str) -> list[TurningPoint]:
        """Start, window boundaries, milestones and the final value, in iteration order."""
        data = self.values[param]
        last = self.iterations - 1
        labels: dict[int, list[str]] = {0: ['start']}
        for iteration, label in self.events.get(param, []):
            if 0 <= iteration <= last:
                labels.setdefault(iteration, []).append(label)
        labels.setdefault(last, []).append('final value')
        return [
            TurningPoint(i, '; '.join(dict.fromkeys(text)), tuple(float(v) for v in data[i]))
            for i, text in sorted(labels.items())
        ]


def schedule_values(
    cfg: Any,
    *,
    params: Sequence[str] = DEFAULT_PARAMS,
    epoch_length: int | None = None,
    dataset_size: int | None = None,
    world_size: int = 1,
) -> ScheduleValues:
    """Compute every scheduled value for every training iteration from a config.

    Args:
        cfg: A :class:`~cadence.config.Config`, a dict, or the path of a config file.
        params: Param-group keys to report (``'momentum'`` is ``betas[0]`` for Adam-family
            optimizers; keys the optimizer does not have are left out).
        epoch_length: Iterations per epoch; otherwise derived from ``dataset_size`` or from the
            dataset config.
        dataset_size: Number of training samples; the epoch length is
            ``dataset_size // (batch_size * world_size)``, as the reference's tool computes it.
        world_size: Number of processes sharing each batch of the epoch.

    Returns:
        A :class:`ScheduleValues` with one array per param.
    """
    cfg = _as_config(cfg)
    training = training_length(cfg, epoch_length, dataset_size, world_size)
    optimizer, groups, labels, notes = optimizer_for_preview(cfg)
    schedulers = build_param_schedulers(
        optimizer,
        cfg.get('param_scheduler'),
        epoch_length=training.epoch_length,
        max_epochs=training.max_epochs,
        max_iters=training.max_iters,
        train_by_epoch=training.by_epoch,
    )
    listed = flat(schedulers)
    if any(isinstance(s, ReduceOnPlateauParamScheduler) for s in listed):
        notes.append(
            'ReduceOnPlateau schedulers react to validation results; the preview shows no '
            'reductions'
        )
    present = [p for p in params if any(not math.isnan(read_value(g, p)) for g in groups)]
    events = {p: _events(listed, p, training) for p in present}
    values = play(
        listed,
        iterations=training.iterations - 1,
        epoch_length=training.epoch_length,
        record=present,
        groups=groups,
    )
    return ScheduleValues(values, labels, training, events, [*training.notes, *notes])


def _as_config(cfg: Any) -> Any:
    from ...config import Config

    if isinstance(cfg, Config):
        return cfg
    if isinstance(cfg, Mapping):
        return Config(cfg)
    if isinstance(cfg, str) or hasattr(cfg, '__fspath__'):
        return Config.fromfile(cfg)
    raise ConfigError(f'expected a Config, a dict or a config path, got {short_repr(cfg)}')


def _events(
    schedulers: list[ParamScheduler], param: str, training: TrainingLength
) -> list[tuple[int, str]]:
    """Notable iterations of the schedulers driving ``param``."""
    events: list[tuple[int, str]] = []
    for scheduler in schedulers:
        if scheduler.param_name != param:
            continue
        name = type(scheduler).__name__
        unit = training.epoch_length if scheduler.by_epoch else 1
        if scheduler.by_epoch and not unit:
            continue

        def at(step: int) -> int:
            return int(step) * unit  # noqa: B023 (used immediately)

        if isinstance(scheduler, ReduceOnPlateauParamScheduler):
            events.append((at(scheduler.begin), f'{name} watches {scheduler.monitor!r}'))
            continue
        stop = scheduler._stop
        if scheduler.begin > 0:
            events.append((at(scheduler.begin), f'{name} starts'))
        if stop < training.horizon(scheduler.by_epoch):
            events.append((at(stop - 1), f'{name} ends'))
        if isinstance(scheduler, CurveScheduler):
            events += [(at(scheduler.begin + t), f'{name} {text}') for t, text in _curve_events(
                scheduler.curve, stop - scheduler.begin)]  # fmt: skip
    return events


def _curve_events(curve: Any, window: int) -> list[tuple[int, str]]:
    """``(local step, label)`` of a curve's milestones inside a window of ``window`` steps."""
    out: list[tuple[int, str]] = []
    if isinstance(curve, MultiStepCurve):
        out = [(m, f'milestone {m}') for m in dict.fromkeys(curve.milestones) if 0 < m < window]
    elif isinstance(curve, StepCurve):
        steps = range(curve.step_size, window, curve.step_size)
        out = [(t, 'step decay') for t in steps[:MAX_PERIODIC_POINTS]]
    elif isinstance(curve, CosineRestartCurve):
        out = [(c, 'restart') for c in curve.cumulative[:-1] if c < window]
    elif isinstance(curve, OneCycleCurve):
        names = ('peak', 'back to start') if curve.three_phase else ('peak',)
        out = [(math.floor(e), n) for e, n in zip(curve.phase_ends, names) if 0 <= e < window]
    elif isinstance(curve, CosineCurve) and curve.T_max < window:
        troughs = range(int(curve.T_max), window, int(2 * curve.T_max) or 1)
        out = [(t, 'trough (rises again)') for t in troughs[:MAX_PERIODIC_POINTS]]
    return out
