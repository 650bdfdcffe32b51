"""Argument checks shared by the schedulers: each failure says which argument, the bad value and
what would be valid. Raised as :class:`~cadence.errors.ConfigError`; the registry adds the config
key path and the class name when the scheduler comes from a config."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from ...errors import ConfigError, short_repr, suggestion_text


def is_real(value: Any) -> bool:
    """A real number that is not a bool (``True`` is an int to Python, never a factor here)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_whole(value: Any) -> bool:
    """An int, or a float with no fractional part."""
    return is_real(value) and math.isfinite(value) and float(value).is_integer()


def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` if it is a real number within the given bounds, else a ``ConfigError``."""
    if not is_real(value) or math.isnan(value):
        raise ConfigError(f'{name} must be a number, got {short_repr(value)}')
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        raise ConfigError(
            f'{name} must be {_range_text(low, high, low_open, high_open)}, got {value!r}'
        )
    return value


def _range_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        left = '(' if low_open else '['
        right = ')' if high_open else ']'
        return f'in {left}{low}, {high}{right}'
    if low is not None:
        return f'{">" if low_open else ">="} {low}'
    return f'{"<" if high_open else "<="} {high}'


def check_whole(name: str, value: Any, *, low: int | None = None, hint: str = '') -> int:
    """``value`` as an int if it is a whole number ``>= low``, else a ``ConfigError``."""
    if not is_whole(value):
        raise ConfigError(f'{name} must be a whole number of steps, got {short_repr(value)}{hint}')
    if low is not None and value < low:
        raise ConfigError(f'{name} must be >= {low}, got {value!r}')
    return int(value)


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f'{name} must be True or False, got {short_repr(value)}')
    return value


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``, else a ``ConfigError`` with a did-you-mean."""
    if value not in choices:
        hint = suggestion_text(value, choices) if isinstance(value, str) else ''
        if not hint and isinstance(value, str):  # 'relative' -> 'rel', 'cosine' -> 'cos'
            prefixes = [c for c in choices if value.lower().startswith(c.lower())]
            hint = f' Did you mean {prefixes[0]!r}?' if prefixes else ''
        raise ConfigError(
            f'{name} must be one of {", ".join(repr(c) for c in choices)}, '
            f'got {short_repr(value)}.{hint}'
        )
    return value


def check_window(begin: Any, end: Any) -> tuple[int, int]:
    """``begin`` and ``end`` as ints with ``0 <= begin < end``."""
    fraction_hint = (
        ' (fractional epochs are only meaningful with convert_to_iter_based=True, which turns '
        'them into whole iterations)'
    )
    begin = check_whole('begin', begin, low=0, hint=fraction_hint)
    end = check_whole('end', end, hint=fraction_hint)
    if end <= begin:
        raise ConfigError(
            f'end must be larger than begin (the scheduler acts on steps begin <= step < end), '
            f'got begin={begin}, end={end}'
        )
    return begin, end


def check_epoch_length(epoch_length: Any) -> int:
    if epoch_length is None:
        raise ConfigError(
            'converting an epoch-based scheduler to iterations needs epoch_length (iterations per '
            'epoch, len(train_dataloader)); the Runner passes it, by hand pass epoch_length=N'
        )
    return check_whole('epoch_length', epoch_length, low=1)


def check_milestones(milestones: Any) -> tuple[int, ...]:
    """Milestones as a sorted tuple of ints (duplicates kept: each multiplies once more)."""
    if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
        raise ConfigError(f'milestones must be a list of steps, got {short_repr(milestones)}')
    values = list(milestones)
    for value in values:
        if not is_whole(value):
            raise ConfigError(
                f'milestones must be whole step numbers, got {short_repr(value)} in '
                f'{short_repr(values)}'
            )
        if value < 0:
            raise ConfigError(f'milestones must be >= 0, got {value!r} in {short_repr(values)}')
    return tuple(sorted(int(v) for v in values))


def check_param_name(groups: Sequence[dict], param_name: Any, optimizer: Any) -> None:
    """Every param group must hold a numeric ``param_name``."""
    if not isinstance(param_name, str):
        raise ConfigError(f'param_name must be a str, got {short_repr(param_name)}')
    for index, group in enumerate(groups):
        if param_name not in group:
            keys = [k for k in group if k != 'params' and not str(k).startswith('initial_')]
            hint = suggestion_text(param_name, keys)
            if param_name == 'momentum' and 'betas' in group:
                hint += (
                    ' For Adam-family optimizers use a Momentum scheduler (LinearMomentum, '
                    'CosineAnnealingMomentum, ...), which drives betas[0].'
                )
            raise ConfigError(
                f'param_name {param_name!r} is not a key of param group {index} of '
                f'{type(optimizer).__name__} (it has {", ".join(map(repr, keys))}).{hint}'
            )
        if not is_real(group[param_name]):
            raise ConfigError(
                f'param group {index} holds {param_name}={short_repr(group[param_name])}, '
                f'which is not a number a scheduler can change'
            )


def per_group(name: str, value: Any, real_groups: int, all_groups: int) -> list[float]:
    """A scalar, or one value per real param group, as one value per group of ``param_groups``.

    An optimizer wrapper lists an extra pseudo-group for the base value after the real groups;
    a list with one value per real group gets its last value repeated for it.
    """
    if isinstance(value, (list, tuple)):
        values = list(value)
        for item in values:
            check_real(name, item)
        if len(values) == real_groups and all_groups == real_groups + 1:
            values.append(values[-1])
        if len(values) != all_groups:
            raise ConfigError(
                f'{name} has {len(values)} values, but the optimizer has {real_groups} param '
                f'groups; give one value per group or a single number'
            )
        return values
    return [check_real(name, value)] * all_groups
