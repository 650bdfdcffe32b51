"""Hook priorities: the seeds' table (HIGHEST 0 ... LOWEST 100) and ``get_priority``."""

from __future__ import annotations

from enum import Enum
from typing import Any

from ..errors import ConfigError, suggestion_text


class Priority(Enum):
    """Where a hook runs among the others at each stage; lower values run first."""

    HIGHEST = 0
    VERY_HIGH = 10
    HIGH = 30
    ABOVE_NORMAL = 40
    NORMAL = 50
    BELOW_NORMAL = 60
    LOW = 70
    VERY_LOW = 90
    LOWEST = 100


def get_priority(priority: Any, key_path: str | None = None) -> int:
    """The integer value of a priority given as a name (any case), an int 0-100 or a member.

    Unlike the reference, ``True``/``False`` are rejected: a bool is not a priority.
    """
    if isinstance(priority, Priority):
        return priority.value
    if isinstance(priority, bool):
        raise ConfigError(
            f'priority must be a name such as "NORMAL", an int from 0 to 100 or a Priority, '
            f'got the bool {priority!r}',
            key_path,
        )
    if isinstance(priority, int):
        if not 0 <= priority <= 100:
            raise ConfigError(f'priority must be between 0 and 100, got {priority}', key_path)
        return priority
    if isinstance(priority, str):
        name = priority.upper()
        if name in Priority.__members__:
            return Priority[name].value
        names = list(Priority.__members__)
        raise ConfigError(
            f'unknown priority {priority!r}.{suggestion_text(name, names)} '
            f'Valid names: {", ".join(names)} (any case), or an int from 0 to 100',
            key_path,
        )
    raise ConfigError(
        f'priority must be a name such as "NORMAL", an int from 0 to 100 or a Priority, '
        f'got {type(priority).__name__} {priority!r}',
        key_path,
    )


def priority_label(priority: Any) -> str:
    """How the hook-order table shows a priority: the enum name for an int equal to a member's
    value, otherwise the priority as it was given (``'NORMAL'``, ``45``)."""
    if isinstance(priority, Priority):
        return priority.name
    if isinstance(priority, int) and not isinstance(priority, bool):
        try:
            return Priority(priority).name
        except ValueError:
            return str(priority)
    return str(priority)
