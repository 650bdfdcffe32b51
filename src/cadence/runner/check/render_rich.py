"""A :class:`CheckReport` as rich tables, for a terminal (the same facts as the text form)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .render_text import (
    DATA_HEADER,
    FINDING_HEADER,
    WINDOW_HEADER,
    data_rows,
    finding_rows,
    summary_line,
    training_lines,
    window_rows,
)
from .report import CheckReport

_SEVERITY_STYLE = {'error': 'bold red', 'warning': 'yellow'}
#: Columns kept on one line (key paths must stay searchable); the others wrap.
_NO_WRAP = frozenset({'key path', 'where', 'severity', 'scheduler', 'value'})


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]], **options: Any):
    from rich.table import Table

    table = Table(title=title, title_justify='left', header_style='bold', **options)
    for name in header:
        numeric = all(r[header.index(name)].replace('.', '', 1).isdigit() for r in rows)
        justify = 'right' if numeric and rows else 'left'
        table.add_column(name, justify=justify, no_wrap=name in _NO_WRAP, overflow='fold')
    for row in rows:
        table.add_row(*row)
    return table


def _notes(console: Any, notes: Sequence[str]) -> None:
    for note in notes:
        console.print(f'[dim]note:[/dim] {note}', highlight=False, markup=True)


def _hook_table(report: CheckReport):
    from rich.table import Table

    table = Table(title='Hook order', title_justify='left', header_style='bold')
    for name in ('stage', 'priority', 'hook'):
        table.add_column(name)
    previous = None
    for row in report.hook_rows:
        table.add_row(
            row.stage if row.stage != previous else '', row.priority, row.hook, end_section=False
        )
        previous = row.stage
    return table


def _param_tables(report: Any) -> list[Any]:
    """The parameter-group report as one table per optimizer: a row per parameter, its group
    (with the group's extra settings) shown once per group."""
    from rich.markup import escape
    from rich.table import Table

    reports = report.items() if isinstance(report, dict) else [('', report)]
    tables = []
    for name, single in reports:
        total = sum(p.numel for p in single.params)
        trainable = sum(p.numel for p in single.params if p.trainable)
        title = (
            f'{"[" + name + "] " if name else ""}{single.optimizer} built by '
            f'{single.constructor}: {len(single.groups)} group(s), {len(single.params)} '
            f'tensors, {total:,} parameters ({trainable:,} trainable)'
        )
        table = Table(title=escape(title), title_justify='left', header_style='bold')
        for column in ('group', 'parameter', 'lr', 'lr from', 'weight_decay', 'weight_decay from'):
            table.add_column(column, overflow='fold', no_wrap=column == 'parameter')
        by_group: dict[int, list[Any]] = {}
        for entry in single.params:
            by_group.setdefault(entry.group, []).append(entry)
        for group in single.groups:
            entries = by_group.get(group.index, [])
            extras = ' '.join(f'{k}={v!r}' for k, v in group.extras.items())
            label = f'{group.index}' + (f'\n{extras}' if extras else '')
            for position, entry in enumerate(entries):
                frozen = ' (frozen)' if not entry.trainable else ''
                table.add_row(
                    escape(label) if position == 0 else '',
                    escape(entry.name + frozen),
                    '-' if entry.lr is None else f'{entry.lr:.6g}',
                    escape(entry.lr_rule),
                    '-' if entry.weight_decay is None else f'{entry.weight_decay:.6g}',
                    escape(entry.wd_rule),
                    end_section=position == len(entries) - 1,
                )
        tables.append((table, single))
    return tables


def _param_section(console: Any, report: CheckReport) -> None:
    from rich.markup import escape

    console.print()
    if report.param_groups is None:
        console.print('[bold]Parameter groups[/bold]')
    for table, single in _param_tables(report.param_groups) if report.param_groups else []:
        console.print(table)
        _notes(console, [escape(n) for n in single.notes])
        for name in single.skipped_duplicates:
            console.print(f'skipped: {escape(name)} (a duplicate of another parameter)')
        for key in single.unmatched_custom_keys:
            console.print(f'[yellow]custom key {escape(repr(key))} matched no parameter[/]')
    _notes(console, [escape(n) for n in report.param_notes])


def render_rich(report: CheckReport, console: Any, *, quiet: bool = False) -> None:
    """Print the report on a ``rich.console.Console`` (``quiet``: findings and summary only)."""
    from rich.markup import escape

    if not quiet:
        console.rule(f'cadence check {escape(report.config)}')
        _notes(console, [escape(n) for n in report.notes])
        if report.data is not None:
            if report.data.loaders:
                console.print(_table('Data and iterations', DATA_HEADER, data_rows(report)))
            for line in training_lines(report):
                console.print(escape(line), highlight=False)
        if report.param_groups is not None or report.param_notes:
            _param_section(console, report)
        if report.windows or report.schedule_notes:
            console.print()
            if report.windows:
                console.print(_table('Schedule windows', WINDOW_HEADER, window_rows(report)))
            else:
                console.print('[bold]Schedule windows[/bold]')
            _notes(console, [escape(n) for n in report.schedule_notes])
            for points in report.turning_points:
                header = [
                    'iteration',
                    *(['epoch'] if points.epoch_length else []),
                    *points.columns,
                    'event',
                ]
                rows = []
                for iteration, label, values in points.rows:
                    epoch = [f'{iteration / points.epoch_length:g}'] if points.epoch_length else []
                    rows.append((str(iteration), *epoch, *(f'{v:.6g}' for v in values), label))
                console.print(_table(f'{points.param}: turning points', header, rows))
        if report.hook_rows:
            console.print()
            console.print(_hook_table(report))
        console.print()
    rows = finding_rows(report)
    if rows:
        table = _table('Errors and warnings', FINDING_HEADER, [], show_lines=True)
        for severity, where, problem, location in rows:
            style = _SEVERITY_STYLE.get(severity, '')
            table.add_row(
                f'[{style}]{severity}[/]', escape(where), escape(problem), escape(location)
            )
        console.print(table)
    style = 'bold red' if report.errors else 'bold green'
    console.print(f'[{style}]{escape(summary_line(report))}[/]', highlight=False)
