"""Training curves from a run's scalar log (``<log_dir>/vis_data/scalars.json``), as data.

:func:`find_scalar_log` locates the log (a work dir's latest run, a run folder, or the file);
:func:`load_training_log` reads it into curves; :func:`select_panels` picks what to draw.
Drawing lives in ``curves_plot`` (PNG) and ``curves_text`` (terminal).

Train lines carry ``iter`` (the reference's and ours); every other line is a validation line.
Train values are plotted against the iteration (the line's ``step``). Validation lines have
``step`` = the epoch in epoch-based training and the iteration in iteration-based training
(``LoggerHook.log_metric_by_epoch``); the unit is inferred from the train lines: epoch when they
carry ``epoch`` and every validation step is within the epochs they reach.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, suggestion_text

#: Bookkeeping fields of a line, not curves.
POSITION_KEYS = ('step', 'iter', 'epoch')
#: Keys drawn when no ``--keys`` are given: losses and lr of training, every validation metric.
TIMING_KEYS = ('time', 'data_time')
_TIMESTAMP = re.compile(r'^\d{8}_\d{6}$')


@dataclass
class Curve:
    """One scalar over a run: ``values[i]`` was logged at ``steps[i]``."""

    name: str
    steps: np.ndarray
    values: np.ndarray


@dataclass
class TrainingLog:
    """The curves of one scalar log."""

    path: str
    train: dict[str, Curve]
    val: dict[str, Curve]
    #: What a validation line's ``step`` counts: ``'epoch'`` or ``'iteration'``.
    val_unit: str
    #: Lines that were not valid JSON (a run killed while writing, for example).
    bad_lines: int = 0

    def available(self) -> str:
        """``train: loss, lr; val: accuracy/top1`` for messages."""
        parts = [
            f'{stage}: {", ".join(curves)}'
            for stage, curves in (('train', self.train), ('val', self.val))
            if curves
        ]
        return '; '.join(parts) or 'none'


@dataclass
class Panel:
    """One plot: curves of one stage sharing an x axis."""

    title: str
    stage: str
    unit: str
    curves: list[Curve] = field(default_factory=list)


def find_scalar_log(path: str | os.PathLike) -> str:
    """The scalar log under ``path``: the file itself, ``path/vis_data/scalars.json`` (a run
    folder), or the latest run's under a work dir (run folders are named by timestamp)."""
    path = os.fspath(path)
    if os.path.isfile(path):
        return path
    if not os.path.isdir(path):
        raise ConfigError(f'{path} does not exist', 'WORK_DIR')
    own = os.path.join(path, 'vis_data', 'scalars.json')
    if os.path.isfile(own):
        return own
    runs = [
        entry.name
        for entry in os.scandir(path)
        if entry.is_dir() and os.path.isfile(os.path.join(entry.path, 'vis_data', 'scalars.json'))
    ]
    if not runs:
        raise ConfigError(
            f'no <run>/vis_data/scalars.json under {path}: is it a work dir of a run that has '
            'logged at least once (with the default LocalVisBackend)?',
            'WORK_DIR',
        )

    def order(name: str) -> tuple[bool, float | str]:
        if _TIMESTAMP.match(name):
            return (True, name)
        return (False, os.path.getmtime(os.path.join(path, name)))

    latest = max(runs, key=order)
    return os.path.join(path, latest, 'vis_data', 'scalars.json')


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)  # 'nan', 'inf' as the local backend writes them
        except ValueError:
            return None
        return number if not math.isfinite(number) else None
    return None


def load_training_log(path: str | os.PathLike) -> TrainingLog:
    """Read a JSON-lines scalar log into train and validation curves."""
    path = os.fspath(path)
    rows: dict[str, dict[str, tuple[list[float], list[float]]]] = {'train': {}, 'val': {}}
    bad = 0
    max_train_epoch = 0.0
    has_epoch = False
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                continue
            if not isinstance(record, dict) or _number(record.get('step')) is None:
                bad += 1
                continue
            stage = 'train' if 'iter' in record else 'val'
            if stage == 'train' and _number(record.get('epoch')) is not None:
                has_epoch = True
                max_train_epoch = max(max_train_epoch, float(record['epoch']))
            step = float(record['step'])
            for key, value in record.items():
                number = _number(value)
                if key in POSITION_KEYS or number is None:
                    continue
                name = key[len(stage) + 1 :] if key.startswith(f'{stage}/') else key
                steps, values = rows[stage].setdefault(name, ([], []))
                steps.append(step)
                values.append(number)

    def curves(stage: str) -> dict[str, Curve]:
        return {
            name: Curve(name, np.asarray(steps), np.asarray(values, dtype=np.float64))
            for name, (steps, values) in rows[stage].items()
        }

    val = curves('val')
    val_steps = [s for c in val.values() for s in c.steps]
    by_epoch = has_epoch and all(s <= max_train_epoch for s in val_steps)
    return TrainingLog(path, curves('train'), val, 'epoch' if by_epoch else 'iteration', bad)


def _is_default(name: str, stage: str) -> bool:
    base = name.partition('/')[0]
    if stage == 'train':
        return 'loss' in base or base == 'lr'
    return name not in TIMING_KEYS


def _hint(key: str, names: Sequence[str]) -> str:
    """`` (did you mean 'loss'?)`` or nothing."""
    text = suggestion_text(key, names).strip()
    return f' ({text[0].lower()}{text[1:]})' if text else ''


def select_panels(log: TrainingLog, keys: Sequence[str] | None = None) -> list[Panel]:
    """Panels for ``keys`` (each the exact name or a prefix before ``/``: ``lr`` draws ``lr``
    and every ``lr/<group>``, ``accuracy`` draws ``accuracy/top1`` and ``accuracy/top5``),
    train panels first. Without keys: the losses, the lr and every validation metric."""
    panels: list[Panel] = []
    stages = (('train', log.train, 'iteration'), ('val', log.val, log.val_unit))
    if not keys:
        for stage, curves, unit in stages:
            groups: dict[str, list[Curve]] = {}
            for name, curve in curves.items():
                if _is_default(name, stage):
                    group = name.partition('/')[0] if stage == 'train' else name
                    groups.setdefault(group, []).append(curve)
            panels += [Panel(f'{stage} {g}', stage, unit, c) for g, c in groups.items()]
        if not panels:
            raise ConfigError(
                f'{log.path} has no loss, lr or validation metric to draw; '
                f'available: {log.available()}',
                '--keys',
            )
        return panels
    missing = []
    for key in keys:
        found = False
        for stage, curves, unit in stages:
            chosen = [c for n, c in curves.items() if n == key or n.startswith(f'{key}/')]
            if chosen:
                panels.append(Panel(f'{stage} {key}', stage, unit, chosen))
                found = True
        if not found:
            missing.append(key)
    if missing:
        names = [*log.train, *log.val]
        described = ', '.join(f'{key!r}{_hint(key, names)}' for key in missing)
        raise ConfigError(
            f'no curve {described} in {log.path}. Available keys: {log.available()}', '--keys'
        )
    panels.sort(key=lambda panel: panel.stage != 'train')
    return panels


def step_series(panel: Panel, max_points: int = 2_000_000) -> tuple[int, int, list]:
    """``(first step, stride, [(name, values)])``: the panel's curves on one grid of steps
    (``first + i * stride``), each value held until the next logged one (NaN before its
    first), for the terminal renderer, which draws one value per step."""
    first = int(min(c.steps.min() for c in panel.curves))
    last = int(max(c.steps.max() for c in panel.curves))
    stride = max(1, math.ceil((last - first + 1) / max_points))
    count = (last - first) // stride + 1
    grid = first + stride * np.arange(count)
    series = []
    for curve in panel.curves:
        order = np.argsort(curve.steps, kind='stable')
        steps, values = curve.steps[order], curve.values[order]
        index = np.searchsorted(steps, grid, side='right') - 1
        held = np.where(index >= 0, values[np.clip(index, 0, None)], np.nan)
        series.append((curve.name, held))
    return first, stride, series
