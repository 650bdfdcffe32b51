"""Resume: the checkpoint gives the position, the config gives the schedule (DESIGN deviation 4).

A scheduler's state dict holds progress only (its step counters, and for ReduceOnPlateau the
metric history). :func:`restore_schedulers` loads that progress, then replays the config's
schedulers from the start of training up to the saved position with the same code that trains
(:func:`~.timeline.play`), so the values in the optimizer are exactly those an uninterrupted run
with this config would have now. Anything that differs from the checkpoint (values, hyper-
parameters) is reported in the log. The reference instead loads every attribute from the
checkpoint, so an edited config is silently ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import ConfigError
from ...logging import get_logger
from .base import ParamScheduler
from .plateau import ReduceOnPlateauParamScheduler
from .stepping import step_after_train_epoch
from .timeline import play, read_value

logger = get_logger('cadence.optim.scheduler')


def describe_changes(scheduler: ParamScheduler, state: Mapping[str, Any]) -> list[str]:
    """Lines describing how ``scheduler`` differs from the one that saved ``state``."""
    name = type(scheduler).__name__
    lines = []
    saved_type = state.get('type')
    if isinstance(saved_type, str) and saved_type != name:
        lines.append(
            f'{name}: the checkpoint was saved by a {saved_type}; only its position is used'
        )
    saved = state.get('hparams')
    if not isinstance(saved, Mapping):
        saved = state  # a reference-style state dict: every attribute at the top level
    for key, now in scheduler.hparams().items():
        if key in saved:
            before = _comparable(saved[key])
            if before != _comparable(now):
                lines.append(
                    f'{name}: {key} is {now!r} in the config, {before!r} in the checkpoint; '
                    f'the config wins'
                )
    return lines


def _comparable(value: Any) -> Any:
    if isinstance(value, Mapping):  # the reference saves milestones as a Counter
        return sorted(k for k, count in value.items() for _ in range(count))
    if isinstance(value, tuple):
        return list(value)
    return value


def restore_schedulers(schedulers: Any, states: Any, *, epoch_length: int | None = None) -> None:
    """Load saved progress into ``schedulers`` and re-derive the current values from the config.

    Args:
        schedulers: What :func:`~.builder.build_param_schedulers` returned (a list, or a dict of
            lists for several optimizers), freshly built from the config.
        states: The saved ``[s.state_dict() for s in schedulers]`` (or a dict of such lists).
        epoch_length: Iterations per epoch; needed when iteration- and epoch-based schedulers
            are mixed. Defaults to the length the schedulers were built with.
    """
    if schedulers is None:
        return
    if isinstance(schedulers, Mapping):
        if not isinstance(states, Mapping) or set(states) != set(schedulers):
            raise ConfigError(
                f'the checkpoint has parameter schedulers for '
                f'{sorted(states) if isinstance(states, Mapping) else "one optimizer"}, the '
                f'config for {sorted(schedulers)}'
            )
        for key in schedulers:
            restore_schedulers(schedulers[key], states[key], epoch_length=epoch_length)
        return
    schedulers = list(schedulers)
    states = list(states) if isinstance(states, Sequence) else [states]
    if len(states) != len(schedulers):
        raise ConfigError(
            f'the checkpoint has {len(states)} parameter schedulers, the config builds '
            f'{len(schedulers)}; resume needs the same list (the reference silently drops the '
            f'extra ones)'
        )
    for scheduler, state in zip(schedulers, states):
        for line in describe_changes(scheduler, state):
            logger.warning(line)
        scheduler._load_progress(state)
    _replay(schedulers, epoch_length)


def _epochs_and_iterations(schedulers: list[ParamScheduler]) -> tuple[int, int]:
    by_iter = {s._global_step for s in schedulers if not s.by_epoch}
    by_epoch = {s._global_step for s in schedulers if s.by_epoch}
    for kind, counts in (('iteration', by_iter), ('epoch', by_epoch)):
        if len(counts) > 1:
            logger.warning(
                'the %s-based schedulers in the checkpoint disagree on the position (%s); '
                'using the furthest',
                kind,
                sorted(counts),
            )
    return max(by_iter, default=0), max(by_epoch, default=0)


def _replay(schedulers: list[ParamScheduler], epoch_length: int | None) -> None:
    iterations, epochs = _epochs_and_iterations(schedulers)
    if epoch_length is None:
        known = {getattr(s, '_epoch_length', None) for s in schedulers} - {None}
        epoch_length = known.pop() if len(known) == 1 else None
    plateaus = [s for s in schedulers if isinstance(s, ReduceOnPlateauParamScheduler)]
    history = {id(p): p.metric_progress() for p in plateaus}
    expected = [s._global_step for s in schedulers]
    before = _snapshot(schedulers)

    _reset_to_bases(schedulers)
    for scheduler in schedulers:
        scheduler._restart()
        if not isinstance(scheduler, ReduceOnPlateauParamScheduler):
            scheduler.step()  # the construction-time step

    pending = {id(p): list(history[id(p)]['reductions']) for p in plateaus}

    def reapply(epochs_done: int) -> None:
        for plateau in plateaus:
            todo = pending[id(plateau)]
            while todo and todo[0] <= plateau._global_step:
                todo.pop(0)
                plateau._reduce()

    if any(not s.by_epoch for s in schedulers):
        play(schedulers, iterations=iterations, epoch_length=epoch_length, epochs=epochs,
             after_epoch=reapply)  # fmt: skip
    else:
        for done in range(1, epochs + 1):
            step_after_train_epoch(schedulers)
            reapply(done)
    for plateau in plateaus:  # reductions the timeline cannot place (iteration-based training)
        for _ in pending[id(plateau)]:
            plateau._reduce()
        for key, value in history[id(plateau)].items():
            setattr(plateau, key, value)

    for scheduler, global_step in zip(schedulers, expected):
        if scheduler._global_step != global_step:
            logger.warning(
                '%s: replaying the schedule reached step %d, the checkpoint says %d',
                type(scheduler).__name__,
                scheduler._global_step,
                global_step,
            )
    _report(before, _snapshot(schedulers))


def _scheduled(schedulers: list[ParamScheduler]) -> dict[tuple[int, str], ParamScheduler]:
    """The first scheduler of each (optimizer, param name): it holds the base values."""
    first: dict[tuple[int, str], ParamScheduler] = {}
    for scheduler in schedulers:
        first.setdefault((id(scheduler.optimizer), scheduler.param_name), scheduler)
    return first


def _reset_to_bases(schedulers: list[ParamScheduler]) -> None:
    for scheduler in _scheduled(schedulers).values():
        groups = scheduler.optimizer.param_groups
        scheduler._write(groups, list(scheduler.base_values))
        for group, base in zip(groups, scheduler.base_values):
            group[f'initial_{scheduler.param_name}'] = base


def _snapshot(schedulers: list[ParamScheduler]) -> dict[tuple[str, int], float]:
    values = {}
    for scheduler in _scheduled(schedulers).values():
        for index, group in enumerate(scheduler.optimizer.param_groups):
            values[(scheduler.param_name, index)] = read_value(group, scheduler.param_name)
    return values


def _report(before: dict[tuple[str, int], float], after: dict[tuple[str, int], float]) -> None:
    changed = [
        (key, before[key], value)
        for key, value in after.items()
        if key in before and not math.isclose(before[key], value, rel_tol=1e-12, abs_tol=0.0)
    ]
    for (name, index), old, new in changed[:20]:
        logger.warning(
            "resume: %s of param group %d is %.6g from the config's schedule at this point "
            '(the checkpoint had %.6g); the config wins',
            name,
            index,
            new,
            old,
        )
    if len(changed) > 20:
        logger.warning(
            'resume: %d more scheduled values differ from the checkpoint', len(changed) - 20
        )
