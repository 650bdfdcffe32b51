"""The lr and momentum of every *distinct* parameter group, named, for the log.

``lr`` stays the reference's key (the first group's value, recorded by ``RuntimeInfoHook``
before each iteration). Every other group whose configured lr differs from all groups before it
gets ``lr/<name>``; momentum (or Adam's ``betas[0]``) is logged as ``momentum`` for the first
group and ``momentum/<name>`` for the other distinct ones. With several optimizers
(``OptimWrapperDict``) the keys carry the optimizer's name: ``gen.lr/<name>``, ``gen.momentum``.

Groups are told apart by their *configured* value (``initial_lr`` once a scheduler has been
built, else the current value), decided once per optimizer, so a key never comes and goes when
two schedules happen to meet (cosine decays to a common ``eta_min``). A group's name is the
common dotted prefix of its parameters' names (``backbone``, ``head.fc``), else their common
last component (``bias``), else ``group<i>``.

Values are read from the optimizer when a line is logged: ``LoggerHook`` runs before
``ParamSchedulerHook`` in ``after_train_iter``, so they are the values that iteration used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PARAMS = ('lr', 'momentum')


@dataclass(frozen=True)
class Series:
    """One logged value: ``key`` reads ``param`` of ``optimizer.param_groups[group]``."""

    key: str
    optimizer: Any
    group: int
    param: str


def _momentum(group: dict[str, Any]) -> Any:
    if 'momentum' in group:
        return group['momentum']
    if 'betas' in group:
        return group['betas'][0]
    return None


def current_value(group: dict[str, Any], param: str) -> Any:
    """The value of ``param`` (``'lr'`` or ``'momentum'``) in ``group`` now."""
    return group.get('lr') if param == 'lr' else _momentum(group)


def configured_value(group: dict[str, Any], param: str) -> Any:
    """The value ``param`` was configured with (before any scheduler changed it)."""
    initial = group.get(f'initial_{param}')
    return initial if initial is not None else current_value(group, param)


def _hashable(value: Any) -> Any:
    if hasattr(value, 'item'):
        value = value.item()
    return value


def common_name(names: Iterable[str]) -> str | None:
    """The common dotted prefix of ``names``, else their common last component, else
    ``None``."""
    parts = [name.split('.') for name in names]
    if not parts:
        return None
    prefix: list[str] = []
    for pieces in zip(*parts):
        if any(piece != pieces[0] for piece in pieces):
            break
        prefix.append(pieces[0])
    if prefix:
        return '.'.join(prefix)
    last = {p[-1] for p in parts}
    return last.pop() if len(last) == 1 else None


def _param_names(optim_wrapper: Any, model: Any) -> dict[int, str]:
    """``id(parameter) -> name`` from the constructor's record, else from the model."""
    names: dict[int, str] = {}
    wrappers = getattr(optim_wrapper, 'optim_wrappers', None)
    for wrapper in wrappers.values() if wrappers is not None else [optim_wrapper]:
        rules = getattr(wrapper, 'param_rules', None)
        if rules is not None:
            names.update((id(p), n) for n, p in zip(rules.names, rules.params))
    if model is not None:
        inner = getattr(model, 'module', model)  # DistributedDataParallel
        for name, param in inner.named_parameters(remove_duplicate=False):
            names.setdefault(id(param), name)
    return names


def _optimizers(optim_wrapper: Any) -> list[tuple[str, Any]]:
    """``(key prefix, torch optimizer)`` for a wrapper or an ``OptimWrapperDict``."""
    wrappers = getattr(optim_wrapper, 'optim_wrappers', None)
    if wrappers is not None:
        return [(f'{name}.', wrapper.optimizer) for name, wrapper in wrappers.items()]
    return [('', optim_wrapper.optimizer)]


def group_series(optim_wrapper: Any, model: Any = None) -> list[Series]:
    """Every series to log for ``optim_wrapper``, in order: per optimizer, the lr of the
    distinct groups after the first, then momentum (first group, then distinct others)."""
    names = _param_names(optim_wrapper, model)
    series: list[Series] = []
    for prefix, optimizer in _optimizers(optim_wrapper):
        groups = optimizer.param_groups
        for param in PARAMS:
            if param == 'momentum' and _momentum(groups[0]) is None:
                continue
            distinct: dict[Any, list[int]] = {}
            for index, group in enumerate(groups):
                distinct.setdefault(_hashable(configured_value(group, param)), []).append(index)
            members = list(distinct.values())
            if param == 'momentum':
                series.append(Series(f'{prefix}momentum', optimizer, 0, param))
            if len(members) == 1:
                continue
            taken: set[str] = set()
            for indices in members[1:]:  # the first group's value has the plain key
                name = common_name(
                    names[id(p)] for i in indices for p in groups[i]['params'] if id(p) in names
                )
                if name is None or name in taken:
                    name = f'group{indices[0]}'
                taken.add(name)
                series.append(Series(f'{prefix}{param}/{name}', optimizer, indices[0], param))
    return series


class GroupValues:
    """Reads the :func:`group_series` of the optimizer wrapper it was made for."""

    def __init__(self, optim_wrapper: Any, model: Any = None) -> None:
        self.optim_wrapper = optim_wrapper
        self.series = group_series(optim_wrapper, model)

    def read(self) -> dict[str, float]:
        """``{key: value}`` now (floats; a tensor lr is converted here, at logging time)."""
        values = {}
        for item in self.series:
            value = current_value(item.optimizer.param_groups[item.group], item.param)
            if value is not None:
                values[item.key] = float(value)
        return values
