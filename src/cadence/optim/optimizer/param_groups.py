"""Merging per-parameter settings into few parameter groups, and remembering who set what.

Constructors decide settings parameter by parameter (as the reference does, which then hands
torch one group per parameter). :func:`merge_param_groups` puts parameters whose settings are
identical into one group (DESIGN deviation 6), so foreach/fused optimizer kernels see few large
groups and schedulers touch few groups. Group order is the order in which each distinct setting
first appears, and parameters keep their order inside a group, so the layout is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from .paramwise_options import hashable_value


def _settings_key(group: Mapping[str, Any]) -> Any:
    items = [(k, v) for k, v in group.items() if k != 'params']
    try:
        return frozenset(items)
    except TypeError:
        return frozenset((k, hashable_value(v)) for k, v in items)


def merge_param_groups(
    groups: Iterable[Mapping[str, Any]], keys: Sequence[Any] | None = None
) -> list[dict[str, Any]]:
    """Merge groups whose settings (every key but ``params``) are equal, keeping order.

    ``keys``, one hashable per group, lets a constructor that already knows each group's
    settings skip computing them from the dicts (the groups' settings must then be equal
    exactly when their keys are).
    """
    merged: list[dict[str, Any]] = []
    index: dict[Any, dict[str, Any]] = {}
    for position, group in enumerate(groups):
        params = group['params']
        if isinstance(params, torch.Tensor):
            params = [params]
        key = _settings_key(group) if keys is None else keys[position]
        target = index.get(key)
        if target is None:
            target = index[key] = {**group, 'params': list(params)}
            merged.append(target)
        else:
            target['params'].extend(params)
    return merged


@dataclass
class ParamRules:
    """How a constructor set each parameter's lr and weight decay (for the report).

    Filled cheaply during construction (one shared ``Settings`` object per distinct outcome);
    turned into a :class:`~cadence.optim.optimizer.report.ParamGroupReport` only when asked.
    """

    constructor: str
    names: list[str] = field(default_factory=list)
    params: list[torch.Tensor] = field(default_factory=list)
    #: Per parameter: an object with ``lr_rule`` and ``wd_rule`` (a ``Settings``).
    settings: list[Any] = field(default_factory=list)
    #: Parameter names left out (duplicates skipped by ``bypass_duplicate``).
    skipped: list[str] = field(default_factory=list)
    #: ``custom_keys`` entries that matched no parameter.
    unmatched_keys: list[str] = field(default_factory=list)
    #: Free-form notes (ignored options, layer-id source, ...).
    notes: list[str] = field(default_factory=list)

    @property
    def lr_rules(self) -> list[str]:
        return [s.lr_rule for s in self.settings]

    @property
    def wd_rules(self) -> list[str]:
        return [s.wd_rule for s in self.settings]
