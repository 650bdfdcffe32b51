"""``OptimWrapperDict``: several named optimizer wrappers (a GAN's generator and discriminator).

The model's ``train_step`` drives each wrapper itself (``optim_wrapper['generator']
.update_params(loss_g)``); the dict offers what the Runner and hooks need on all of them at once:
learning rates, momentum, state dicts and the accumulation counters. Unlike the reference,
:meth:`initialize_count_status` reaches every wrapper, so each one scales its last accumulation
window correctly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from torch import nn

from ...errors import ConfigError
from ...logging import MessageHub
from .nonfinite import POLICY_INFO_KEY, strictest_policy
from .optimizer_wrapper import OptimWrapper


class OptimWrapperDict:
    """Named :class:`OptimWrapper` objects: ``OptimWrapperDict(gen=..., disc=...)``."""

    def __init__(self, **optim_wrappers: OptimWrapper) -> None:
        for name, wrapper in optim_wrappers.items():
            if not isinstance(wrapper, OptimWrapper):
                raise ConfigError(
                    f'OptimWrapperDict: {name!r} must be an OptimWrapper, got '
                    f'{type(wrapper).__name__}'
                )
        self.optim_wrappers: dict[str, OptimWrapper] = dict(optim_wrappers)
        if optim_wrappers:
            policy = strictest_policy(w.nonfinite for w in optim_wrappers.values())
            MessageHub.get_current_instance().update_info(POLICY_INFO_KEY, policy, resumed=False)

    def _unsupported(self, method: str) -> NotImplementedError:
        names = ', '.join(repr(n) for n in self.optim_wrappers)
        return NotImplementedError(
            f'OptimWrapperDict.{method}() would be ambiguous: call it on one of the wrappers '
            f'({names}), e.g. optim_wrapper[{next(iter(self.optim_wrappers), "name")!r}].'
            f'{method}(...)'
        )

    def update_params(self, *args: Any, **kwargs: Any) -> None:
        raise self._unsupported('update_params')

    def backward(self, *args: Any, **kwargs: Any) -> None:
        raise self._unsupported('backward')

    def step(self, *args: Any, **kwargs: Any) -> None:
        raise self._unsupported('step')

    def optim_context(self, model: nn.Module) -> Any:
        raise self._unsupported('optim_context')

    def zero_grad(self, **kwargs: Any) -> None:
        for wrapper in self.optim_wrappers.values():
            wrapper.zero_grad(**kwargs)

    def initialize_count_status(self, model: nn.Module, init_counts: int, max_counts: int) -> None:
        """Initialise every wrapper's accumulation counters (the reference does nothing)."""
        for wrapper in self.optim_wrappers.values():
            wrapper.initialize_count_status(model, init_counts, max_counts)

    @property
    def param_groups(self) -> dict[str, list[dict[str, Any]]]:
        return {name: w.param_groups for name, w in self.optim_wrappers.items()}

    def get_lr(self) -> dict[str, list[float]]:
        """``{'gen.lr': [...], 'gen.base_lr': [...], 'disc.lr': [...], ...}``."""
        return self._prefixed('get_lr')

    def get_momentum(self) -> dict[str, list[float]]:
        """``{'gen.momentum': [...], 'disc.momentum': [...]}``."""
        return self._prefixed('get_momentum')

    def _prefixed(self, method: str) -> dict[str, list[float]]:
        """Every wrapper's ``method()`` values, keyed ``'<wrapper name>.<key>'``."""
        return {
            f'{name}.{key}': value
            for name, wrapper in self.optim_wrappers.items()
            for key, value in getattr(wrapper, method)().items()
        }

    def state_dict(self) -> dict[str, dict[str, Any]]:
        return {name: w.state_dict() for name, w in self.optim_wrappers.items()}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        unknown = [name for name in state_dict if name not in self.optim_wrappers]
        if unknown:
            raise KeyError(
                f'the checkpoint has optimizer states for {unknown}, which this OptimWrapperDict '
                f'does not have (it has {list(self.optim_wrappers)})'
            )
        for name, state in state_dict.items():
            self.optim_wrappers[name].load_state_dict(state)

    # -- mapping protocol ----------------------------------------------------------------------

    def items(self) -> Iterator[tuple[str, OptimWrapper]]:
        return iter(self.optim_wrappers.items())

    def values(self) -> Iterator[OptimWrapper]:
        return iter(self.optim_wrappers.values())

    def keys(self) -> Iterator[str]:
        return iter(self.optim_wrappers.keys())

    def __getitem__(self, key: str) -> OptimWrapper:
        if key not in self.optim_wrappers:
            raise KeyError(
                f'no optimizer wrapper named {key!r}; this OptimWrapperDict has '
                f'{list(self.optim_wrappers)}'
            )
        return self.optim_wrappers[key]

    def __contains__(self, key: object) -> bool:
        return key in self.optim_wrappers

    def __len__(self) -> int:
        return len(self.optim_wrappers)

    def __iter__(self) -> Iterator[str]:
        return iter(self.optim_wrappers)

    def __repr__(self) -> str:
        body = ''.join(f'{name}: {wrapper!r}' for name, wrapper in self.optim_wrappers.items())
        return f'{type(self).__name__}(\n{body})'
