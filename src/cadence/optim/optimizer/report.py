"""The parameter-group report: which rule gave each parameter its lr and weight decay.

:func:`param_group_report` returns a :class:`ParamGroupReport` (plain data, JSON-ready through
:meth:`ParamGroupReport.to_dict`); :func:`format_param_group_report` renders it as text, as
``cadence check`` prints it. Constructors record only the rule strings while they build (shared
strings, no formatting per parameter); everything else is computed here, on demand.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

#: Group keys shown as the group's settings (the rest are listed as extras).
_MAIN_KEYS = ('lr', 'weight_decay')


@dataclass(frozen=True)
class ParamEntry:
    """One parameter: where it is, what it got, and why."""

    name: str
    shape: tuple[int, ...]
    numel: int
    trainable: bool
    group: int
    lr: float | None
    weight_decay: float | None
    lr_rule: str
    wd_rule: str


@dataclass(frozen=True)
class GroupEntry:
    """One parameter group of the optimizer."""

    index: int
    lr: float | None
    weight_decay: float | None
    num_tensors: int
    numel: int
    trainable_numel: int
    extras: dict[str, Any]


@dataclass(frozen=True)
class ParamGroupReport:
    """Every parameter group and parameter of one optimizer, with the rule behind each value.

    ``lr`` and ``weight_decay`` are the configured values (``initial_*`` when a scheduler has
    already been built on the optimizer), not a scheduler's current value.
    """

    constructor: str
    optimizer: str
    groups: tuple[GroupEntry, ...]
    params: tuple[ParamEntry, ...]
    unmatched_custom_keys: tuple[str, ...] = ()
    skipped_duplicates: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts and lists (for JSON)."""
        return dataclasses.asdict(self)

    def to_text(self) -> str:
        return format_param_group_report(self)


def _configured(group: dict[str, Any], key: str) -> Any:
    value = group.get(f'initial_{key}', group.get(key))
    if isinstance(value, torch.Tensor):
        value = value.item()
    return value


def _extras(group: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Group settings that differ from the optimizer defaults, besides lr and weight decay."""
    extras = {}
    for key, value in group.items():
        if key == 'params' or key in _MAIN_KEYS or key.startswith('initial_'):
            continue
        if key not in defaults or defaults[key] != value:
            extras[key] = value
    return extras


def _single_report(optim_wrapper: Any, model: nn.Module | None) -> ParamGroupReport:
    optimizer = optim_wrapper.optimizer
    rules = getattr(optim_wrapper, 'param_rules', None)
    group_of: dict[int, int] = {}
    for index, group in enumerate(optimizer.param_groups):
        for param in group['params']:
            group_of[id(param)] = index
    if rules is not None:
        named = list(zip(rules.names, rules.params, rules.lr_rules, rules.wd_rules))
        constructor = rules.constructor
    else:
        names = {}
        if model is not None:
            names = {id(p): n for n, p in model.named_parameters(remove_duplicate=False)}
        unknown = 'unknown (not built by a Cadence constructor)'
        named = [
            (names.get(id(p), f'<group {i} param {j}>'), p, unknown, unknown)
            for i, group in enumerate(optimizer.param_groups)
            for j, p in enumerate(group['params'])
        ]
        constructor = 'unknown'
    params = []
    for name, param, lr_rule, wd_rule in named:
        index = group_of.get(id(param), -1)
        group = optimizer.param_groups[index] if index >= 0 else {}
        params.append(
            ParamEntry(
                name=name,
                shape=tuple(param.shape),
                numel=param.numel(),
                trainable=param.requires_grad,
                group=index,
                lr=_configured(group, 'lr'),
                weight_decay=_configured(group, 'weight_decay'),
                lr_rule=lr_rule,
                wd_rule=wd_rule,
            )
        )
    groups = []
    for index, group in enumerate(optimizer.param_groups):
        tensors = group['params']
        groups.append(
            GroupEntry(
                index=index,
                lr=_configured(group, 'lr'),
                weight_decay=_configured(group, 'weight_decay'),
                num_tensors=len(tensors),
                numel=sum(p.numel() for p in tensors),
                trainable_numel=sum(p.numel() for p in tensors if p.requires_grad),
                extras=_extras(group, optimizer.defaults),
            )
        )
    return ParamGroupReport(
        constructor=constructor,
        optimizer=type(optimizer).__name__,
        groups=tuple(groups),
        params=tuple(params),
        unmatched_custom_keys=tuple(rules.unmatched_keys) if rules is not None else (),
        skipped_duplicates=tuple(rules.skipped) if rules is not None else (),
        notes=tuple(rules.notes) if rules is not None else (),
    )


def param_group_report(
    optim_wrapper: Any, model: nn.Module | None = None
) -> ParamGroupReport | dict[str, ParamGroupReport]:
    """The report for an optimizer wrapper (one per name for an ``OptimWrapperDict``).

    ``model`` is only needed to name parameters of a wrapper that no Cadence constructor built.
    """
    if hasattr(optim_wrapper, 'optim_wrappers'):
        return {
            name: _single_report(wrapper, model)
            for name, wrapper in optim_wrapper.optim_wrappers.items()
        }
    return _single_report(optim_wrapper, model)


def _number(value: Any) -> str:
    return '-' if value is None else f'{value:.6g}' if isinstance(value, float) else str(value)


def format_param_group_report(report: ParamGroupReport | dict[str, ParamGroupReport]) -> str:
    """Render a report: one block per group, one line per parameter, then warnings."""
    if isinstance(report, dict):
        return '\n\n'.join(
            f'[{name}]\n{format_param_group_report(sub)}' for name, sub in report.items()
        )
    total = sum(p.numel for p in report.params)
    trainable = sum(p.numel for p in report.params if p.trainable)
    lines = [
        f'{report.optimizer} built by {report.constructor}: '
        f'{_count(len(report.groups), "parameter group")}, {_count(len(report.params), "tensor")}, '
        f'{_count(total, "parameter")} ({trainable:,} trainable)'
    ]
    lines += [f'note: {note}' for note in report.notes]
    width = max((len(p.name) for p in report.params), default=0)
    by_group: dict[int, list[ParamEntry]] = {}
    for entry in report.params:
        by_group.setdefault(entry.group, []).append(entry)
    for group in report.groups:
        extras = ''.join(f'  {k}={v!r}' for k, v in group.extras.items())
        lines.append(
            f'group {group.index}: lr={_number(group.lr)}  '
            f'weight_decay={_number(group.weight_decay)}{extras}  '
            f'({group.num_tensors} tensors, {group.numel:,} parameters)'
        )
        for entry in by_group.get(group.index, []):
            frozen = '' if entry.trainable else '  (frozen)'
            lines.append(
                f'  {entry.name:<{width}}  lr: {entry.lr_rule}; '
                f'weight_decay: {entry.wd_rule}{frozen}'
            )
    for name in report.skipped_duplicates:
        lines.append(f'skipped: {name} (a duplicate of another parameter, bypass_duplicate=True)')
    for key in report.unmatched_custom_keys:
        lines.append(f'warning: custom key {key!r} matched no parameter')
    return '\n'.join(lines)


def _count(n: int, noun: str) -> str:
    """``'1 tensor'``, ``'2,048 tensors'``."""
    return f'{n:,} {noun}' + ('' if n == 1 else 's')
