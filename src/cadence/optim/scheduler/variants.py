"""The LR, Momentum and WeightDecay flavours of each family: the same scheduler on a fixed key.

``LinearLR(optimizer, ...)`` is ``LinearParamScheduler(optimizer, 'lr', ...)``. Momentum
schedulers drive ``momentum`` where the optimizer has it (SGD, RMSprop) and ``betas[0]`` for the
Adam family, which keeps ``momentum`` out of Adam's param groups.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from ...errors import ConfigError

T = TypeVar('T', bound=type)


def with_param_name(param_name: str) -> Callable[[T], T]:
    """Class decorator: the scheduler always drives ``param_name``.

    The constructor keeps the generic one's arguments, minus ``param_name`` (passing it is an
    error, as in the reference), and ``inspect.signature`` shows exactly those, so config keys
    are checked against them.
    """

    def decorate(cls: T) -> T:
        generic_init = cls.__init__
        signature = inspect.signature(generic_init)
        parameters = [p for name, p in signature.parameters.items() if name != 'param_name']

        def __init__(self: Any, optimizer: Any, *args: Any, **kwargs: Any) -> None:
            generic_init(self, optimizer, param_name, *args, **kwargs)

        __init__.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        __init__.__doc__ = generic_init.__doc__
        __init__.__qualname__ = f'{cls.__qualname__}.__init__'
        cls.__init__ = __init__  # type: ignore[misc]
        cls.fixed_param_name = param_name  # type: ignore[attr-defined]
        return cls

    return decorate


class MomentumSchedulerMixin:
    """Schedule ``momentum``, or ``betas[0]`` when the optimizer has betas instead."""

    def _drives_betas(self, optimizer: Any, param_name: str) -> bool:
        defaults = getattr(optimizer, 'defaults', None) or {}
        if 'momentum' in defaults:
            return False
        if 'betas' in defaults:
            for index, group in enumerate(optimizer.param_groups):
                if not isinstance(group.get('betas'), (tuple, list)) or len(group['betas']) != 2:
                    raise ConfigError(f'param group {index} has no betas pair to schedule')
            return True
        name = type(optimizer).__name__
        inner = getattr(optimizer, 'optimizer', None)
        if inner is not None:
            name = f'{name} of {type(inner).__name__}'
        raise ConfigError(
            f'{type(self).__name__} needs an optimizer with momentum (SGD, RMSprop, ...) or betas '
            f'(Adam, AdamW, ...); {name} has neither'
        )
