"""Merging per-parameter settings into few parameter groups, and remembering who set what.

Constructors decide settings parameter by parameter (as the reference does, which then hands
torch one group per parameter). :func:`merge_param_groups` puts parameters whose settings are
identical into one group (DESIGN deviation 6), so foreach/fused optimizer kernels see few large
groups and schedulers touch few groups. Group order is the order in which each distinct setting
first appears, and parameters keep their order inside a group, so the layout is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def merge_param_groups(groups: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Merge groups whose settings (every key but ``params``) are equal, keeping order."""
    merged: list[dict[str, Any]] = []
    index: dict[Any, dict[str, Any]] = {}
    for group in groups:
        params = group['params']
        if isinstance(params, torch.Tensor):
            params = [params]
        key = _settings_key(group)
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

    Filled cheaply during construction (strings shared between parameters); turned into a
    :class:`~cadence.optim.optimizer.report.ParamGroupReport` only when someone asks.
    """

    constructor: str
    names: list[str] = field(default_factory=list)
    params: list[torch.Tensor] = field(default_factory=list)
    lr_rules: list[str] = field(default_factory=list)
    wd_rules: list[str] = field(default_factory=list)
    #: Parameter names left out (duplicates skipped by ``bypass_duplicate``).
    skipped: list[str] = field(default_factory=list)
    #: ``custom_keys`` entries that matched no parameter.
    unmatched_keys: list[str] = field(default_factory=list)
    #: Free-form notes (ignored options, layer-id source, ...).
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, param: torch.Tensor, lr_rule: str, wd_rule: str) -> None:
        self.names.append(name)
        self.params.append(param)
        self.lr_rules.append(lr_rule)
        self.wd_rules.append(wd_rule)
