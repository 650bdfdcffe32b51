"""A :class:`CheckReport` as plain text (no colours, no control characters) for logs and pipes.

The cell builders here (``*_rows``, :func:`training_lines`, :func:`summary_line`) are shared
with the rich renderer, so both show the same facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ...optim import format_param_group_report
from ...visualization import render_turning_points
from .report import CheckReport, ScheduleWindow

DATA_HEADER = ('stage', 'dataset', 'samples', 'batch', 'sampler', 'drop_last', 'batches')
WINDOW_HEADER = ('#', 'key path', 'scheduler', 'value', 'clock', 'epochs', 'iterations', 'remarks')
FINDING_HEADER = ('severity', 'where', 'problem', 'set at')


def _value(value: object) -> str:
    return '?' if value is None else str(value)


def data_rows(report: CheckReport) -> list[tuple[str, ...]]:
    """One row per dataloader that could be built."""
    if report.data is None:
        return []
    return [
        (
            info.stage,
            info.dataset,
            _value(info.samples),
            _value(info.batch_size),
            info.sampler,
            'yes' if info.drop_last else 'no',
            _value(info.batches),
        )
        for info in report.data.loaders
    ]


def training_lines(report: CheckReport) -> list[str]:
    """World size, training length, updates, global batch, validation, notes."""
    data = report.data
    if data is None:
        return []
    lines = []
    length = data.iterations
    if data.max_epochs is None and length is None and data.epoch_length is None:
        length_text = 'no training length (train_cfg or train_dataloader missing or invalid)'
    elif data.by_epoch:
        per_epoch = _value(data.epoch_length)
        length_text = (
            f'epoch-based: {_value(data.max_epochs)} epochs x {per_epoch} iterations '
            f'= {_value(length)} iterations'
        )
    else:
        length_text = f'iteration-based: {_value(length)} iterations'
        if data.epoch_length and length:
            length_text += f' ({length / data.epoch_length:.4g} passes over the training data)'
    lines.append(f'world size {data.world_size}; {length_text}')
    for name, counts in data.accumulation.items():
        owner = f'optimizer {name!r}: ' if name else ''
        updates = data.updates.get(name)
        batch = data.global_batch[name] // (data.world_size * counts)
        lines.append(
            f'{owner}accumulative_counts {counts}: {_value(updates)} optimizer updates, global '
            f'batch {data.global_batch[name]} (batch {batch} x {data.world_size} process(es) x '
            f'{counts} iteration(s))'
        )
    if data.val_every:
        lines.append(f'validation {data.val_every}')
    lines += [f'note: {note}' for note in data.notes]
    return lines


def _range(begin: Fraction | int | None, end: Fraction | int | None) -> str:
    def number(value: Fraction | int | None) -> str:
        if value is None:
            return 'inf'
        if isinstance(value, Fraction) and value.denominator != 1:
            return f'{float(value):.4g}'
        return str(int(value))

    if begin is None:
        return '?'
    return f'[{number(begin)}, {number(end)})'


def clock(window: ScheduleWindow) -> str:
    if window.converted:
        return 'iteration (from epochs)'
    return 'epoch' if window.by_epoch else 'iteration'


def window_rows(report: CheckReport) -> list[tuple[str, ...]]:
    """One row per built scheduler; the optimizer name prefixes the value for several."""
    rows = []
    for index, w in enumerate(report.windows):
        value = f'{w.optimizer}/{w.param}' if w.optimizer else w.param
        end_epoch = w.end_epoch if w.end_iter is not None or w.by_epoch else None
        rows.append(
            (
                str(index),
                w.key_path,
                w.scheduler,
                value,
                clock(w),
                _range(w.begin_epoch, end_epoch),
                _range(w.begin_iter, w.end_iter),
                '; '.join(w.flags),
            )
        )
    return rows


def finding_rows(report: CheckReport) -> list[tuple[str, ...]]:
    """Errors first, then warnings, each in the order found."""
    ordered = report.errors + report.warnings
    return [
        (
            f.severity,
            f.key_path or '-',
            f.message,
            f.location if f.location and f.location not in f.message else '',
        )
        for f in ordered
    ]


def summary_line(report: CheckReport) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    counts = f'{errors} error{"s" * (errors != 1)}, {warnings} warning{"s" * (warnings != 1)}'
    verdict = 'do not run it' if errors else 'ready to run'
    return f'{report.config}: {counts}: {verdict}'


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; numbers right-aligned; the last column free."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if c.replace('.', '', 1).isdigit() else c.ljust(w)
            for c, w in zip(cells[:-1], widths[:-1])
        ]
        return '  '.join([*parts, cells[-1]]).rstrip()

    return '\n'.join([line(header), *(line(r) for r in rows)])


def _section(title: str) -> str:
    return f'\n== {title} =='


def render_text(report: CheckReport, *, quiet: bool = False) -> str:
    """The whole report (``quiet``: only the findings and the summary line)."""
    out = [] if quiet else [f'cadence check {report.config}']
    if not quiet:
        out += [f'note: {note}' for note in report.notes]
        if report.data is not None:
            out.append(_section('Data and iterations'))
            if report.data.loaders:
                out.append(table(DATA_HEADER, data_rows(report)))
            out += training_lines(report)
        if report.param_groups is not None or report.param_notes:
            out.append(_section('Parameter groups'))
            if report.param_groups is not None:
                out.append(format_param_group_report(report.param_groups))
            out += [f'note: {note}' for note in report.param_notes]
        if report.windows or report.schedule_notes:
            out.append(_section('Schedule windows'))
            if report.windows:
                out.append(table(WINDOW_HEADER, window_rows(report)))
            out += [f'note: {note}' for note in report.schedule_notes]
            for points in report.turning_points:
                out.append('')
                out.append(
                    render_turning_points(
                        points.param, points.rows, points.columns, points.epoch_length
                    )
                )
        if report.hook_order:
            out.append(_section('Hook order'))
            out.append(report.hook_order)
        out.append(_section('Errors and warnings'))
    for severity, where, problem, location in finding_rows(report):
        at = f' ({location})' if location else ''
        place = f'{where}: ' if where != '-' else ''
        out.append(f'{severity}: {place}{problem}{at}')
    out.append(summary_line(report))
    return '\n'.join(out)
