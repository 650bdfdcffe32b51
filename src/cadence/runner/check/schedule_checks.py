"""Parameter schedulers: each one built on its own (so every bad one is reported), exactly as
the Runner builds them; their windows in epochs and iterations; and the schedule preview's
turning points (``cadence schedule``'s table) when everything builds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...optim.scheduler import ParamScheduler, build_param_schedulers, schedule_values
from ...registry.build import config_key_path
from .context import CheckContext, optimizer_wrappers
from .report import TurningPoints
from .windows import Tail, flag_coverage, window_of, window_warnings

#: At most this many distinct curves per value in the turning-point tables.
MAX_CURVES = 4
#: The preview holds iterations x param groups values per scheduled value; above this many it
#: is left to ``cadence schedule``.
MAX_PREVIEW_VALUES = 5_000_000


def _as_list(cfg: Any) -> list[Any]:
    return [cfg] if isinstance(cfg, (Mapping, ParamScheduler)) else list(cfg)


def _items(ctx: CheckContext, cfg: Any, options: dict) -> Iterator[tuple[str, Any, str, Any]]:
    """``(optimizer name, wrapper, key path, scheduler config)`` for every scheduler, after
    checking the field's structure (without building anything)."""
    per_optimizer = isinstance(cfg, Mapping) and 'type' not in cfg
    if per_optimizer:
        probe = {k: [] if isinstance(v, (list, tuple, Mapping)) else v for k, v in cfg.items()}
    else:
        probe = [] if isinstance(cfg, (Mapping, list, tuple)) else cfg
    build_param_schedulers(ctx.optim_wrapper, probe, **options)  # structure errors only
    wrappers = optimizer_wrappers(ctx.optim_wrapper)
    if per_optimizer:
        for name, sub in cfg.items():
            if name not in wrappers:
                ctx.findings.warning(
                    f'there is no optimizer {name!r} (optimizers: '
                    f'{", ".join(map(repr, wrappers))}); these schedulers are never built',
                    f'param_scheduler.{name}',
                )
                continue
            for index, item in enumerate(_as_list(sub)):
                fallback = f'param_scheduler.{name}' + (
                    '' if isinstance(sub, Mapping) else f'.{index}'
                )
                yield name, wrappers[name], config_key_path(item) or fallback, item
        return
    for name, wrapper in wrappers.items():
        for index, item in enumerate(_as_list(cfg)):
            fallback = 'param_scheduler' + ('' if isinstance(cfg, Mapping) else f'.{index}')
            yield name, wrapper, config_key_path(item) or fallback, item


def check_schedules(ctx: CheckContext) -> None:
    """Build every scheduler; report windows, their problems and the turning points."""
    cfg = ctx.values.get('param_scheduler')
    notes = ctx.report.schedule_notes
    if cfg is None:
        return
    if ctx.optim_wrapper is None:
        notes.append('not checked: there is no optimizer to schedule (see the errors)')
        return
    if ctx.stand_in is not None:
        notes.append(f'checked against a stand-in optimizer: {ctx.stand_in}')
    training = ctx.training
    options = dict(
        epoch_length=training.epoch_length,
        max_epochs=training.max_epochs,
        max_iters=training.max_iters,
        train_by_epoch=training.by_epoch,
    )
    windows = []
    for name, wrapper, path, item in _items(ctx, cfg, options):
        converts = isinstance(item, Mapping) and item.get('convert_to_iter_based') is True
        if converts and training.epoch_length is None:
            notes.append(
                f'{path}: not built: convert_to_iter_based needs the iterations per '
                'epoch, which are unknown (see the errors)'
            )
            continue
        with ctx.findings.catching():
            [scheduler] = build_param_schedulers(wrapper, [item], **options)
            windows.append(window_of(name, path, item, scheduler, training))
    windows, found = window_warnings(windows, training)
    windows, tails = flag_coverage(windows, training)
    for path, message in found:
        ctx.findings.warning(message, path)
    ctx.report.windows = windows
    if training.epoch_length is not None and training.iterations:
        accumulation = max(ctx.report.data.accumulation.values(), default=1)
        if accumulation > 1:
            notes.append(
                f'windows count iterations, not optimizer updates: with '
                f'accumulative_counts={accumulation}, {accumulation * 100} iterations '
                f'are 100 updates'
            )
    scheduler_errors = ctx.findings.has_error_under('param_scheduler')
    if windows and ctx.stand_in is None and not scheduler_errors:
        try:
            _turning_points(ctx, sorted({w.param for w in windows}))
        except Exception as exc:
            notes.append(f'turning points not computed: {exc}')
    for tail in tails:
        ctx.findings.warning(tail.message(_held_value(ctx, tail)), tail.key_path)


def _held_value(ctx: CheckContext, tail: Tail) -> float | None:
    """The value a tail holds: the preview's final value, when one curve is all there is."""
    if tail.optimizer or (tail.param == 'lr' and ctx.lr_scaled):
        return None
    for points in ctx.report.turning_points:
        if points.param == tail.param and len(points.columns) == 1 and points.rows:
            return points.rows[-1][2][0]
    return None


def _turning_points(ctx: CheckContext, params: list[str]) -> None:
    training = ctx.training
    if training.iterations is None:
        return
    wrappers = optimizer_wrappers(ctx.optim_wrapper).values()
    groups = sum(len(getattr(w, 'optimizer', w).param_groups) for w in wrappers)
    if training.iterations * groups > MAX_PREVIEW_VALUES:
        ctx.report.schedule_notes.append(
            f'turning points left out ({training.iterations} iterations x {groups} groups); '
            f'cadence schedule shows them'
        )
        return
    preview = schedule_values(ctx.cfg, params=params, epoch_length=training.epoch_length)
    for param in params:
        if param not in preview.values:
            continue
        curves = preview.distinct_groups(param)
        shown = curves[:MAX_CURVES]
        rows = tuple(
            (p.iteration, p.label, tuple(p.values[c] for _, c in shown))
            for p in preview.turning_points(param)
        )
        ctx.report.turning_points.append(
            TurningPoints(param, tuple(label for label, _ in shown), rows, preview.epoch_length)
        )
        if len(curves) > MAX_CURVES:
            ctx.report.schedule_notes.append(
                f'{param}: {len(curves) - MAX_CURVES} more distinct curves are left out of the '
                f'table (cadence schedule --param {param} shows them all)'
            )
    ctx.report.schedule_notes.extend(preview.notes)
    if ctx.lr_scaled:
        ctx.report.schedule_notes.append('the turning points show lrs before auto_scale_lr')
