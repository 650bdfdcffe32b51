"""``MessageHub``: where components publish scalars (loss, lr, grad_norm) and runtime info.

Hooks, the optimizer wrapper and the log processor talk through it instead of holding references
to each other. One instance is current at a time (the Runner's); ``get_current_instance()``
returns it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import suggestion_text
from .history_buffer import HistoryBuffer

_SAFE_SCALARS = (bool, int, float, str, type(None))


def _checkpoint_safe(value: Any) -> bool:
    """Whether ``value`` survives ``torch.load(weights_only=True)`` as plain data."""
    if isinstance(value, _SAFE_SCALARS):
        return True
    if isinstance(value, (list, tuple)):
        return all(_checkpoint_safe(v) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _checkpoint_safe(v) for k, v in value.items())
    return hasattr(value, 'detach')  # tensors load fine


class MessageHub:
    """Named scalars (``HistoryBuffer`` each) plus a dict of runtime information."""

    _instances: ClassVar[dict[str, MessageHub]] = {}
    _current: ClassVar[MessageHub | None] = None

    def __init__(self, name: str = 'cadence') -> None:
        self.name = name
        self._log_scalars: dict[str, HistoryBuffer] = {}
        self._runtime_info: dict[str, Any] = {}
        self._resumed_keys: dict[str, bool] = {}

    # -- instances -----------------------------------------------------------------------------

    @classmethod
    def get_instance(cls, name: str = 'cadence') -> MessageHub:
        """The hub called ``name`` (created on first use); it becomes the current one."""
        hub = cls._instances.get(name)
        if hub is None:
            hub = cls._instances[name] = cls(name)
        cls._current = hub
        return hub

    @classmethod
    def create_instance(cls, name: str = 'cadence') -> MessageHub:
        """A new, empty hub called ``name`` (replacing any of that name); it becomes current."""
        hub = cls._instances[name] = cls(name)
        cls._current = hub
        return hub

    def make_current(self) -> None:
        """Make this hub the one ``get_current_instance()`` returns."""
        type(self)._current = self

    @classmethod
    def get_current_instance(cls) -> MessageHub:
        """The most recently created or requested hub (a default one if there is none)."""
        if cls._current is None:
            return cls.get_instance('cadence')
        return cls._current

    # -- scalars -------------------------------------------------------------------------------

    def update_scalar(self, key: str, value: Any, count: float = 1, resumed: bool = True) -> None:
        """Append ``value`` (a number or 0-dim tensor; not synchronised) to ``key``'s buffer."""
        buffer = self._log_scalars.get(key)
        if buffer is None:
            buffer = self._log_scalars[key] = HistoryBuffer()
            self._resumed_keys[key] = resumed
        buffer.update(value, count)

    def update_scalars(self, values: Mapping[str, Any], resumed: bool = True) -> None:
        for key, value in values.items():
            self.update_scalar(key, value, resumed=resumed)

    def get_scalar(self, key: str) -> HistoryBuffer:
        try:
            return self._log_scalars[key]
        except KeyError:
            raise KeyError(
                f'no scalar {key!r} has been logged.{suggestion_text(key, self._log_scalars)}'
            ) from None

    @property
    def log_scalars(self) -> dict[str, HistoryBuffer]:
        return self._log_scalars

    # -- runtime info --------------------------------------------------------------------------

    def update_info(self, key: str, value: Any, resumed: bool = True) -> None:
        self._runtime_info[key] = value
        self._resumed_keys[key] = resumed

    def update_info_dict(self, info: Mapping[str, Any], resumed: bool = True) -> None:
        for key, value in info.items():
            self.update_info(key, value, resumed)

    def get_info(self, key: str, default: Any = None) -> Any:
        return self._runtime_info.get(key, default)

    def pop_info(self, key: str, default: Any = None) -> Any:
        return self._runtime_info.pop(key, default)

    @property
    def runtime_info(self) -> dict[str, Any]:
        return self._runtime_info

    # -- persistence ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Resumable scalars and info as plain data (``torch.load(weights_only=True)`` safe)."""
        scalars = {
            k: buf.state_dict()
            for k, buf in self._log_scalars.items()
            if self._resumed_keys.get(k, True)
        }
        info = {
            k: v
            for k, v in self._runtime_info.items()
            if self._resumed_keys.get(k, True) and _checkpoint_safe(v)
        }
        return {
            'log_scalars': scalars,
            'runtime_info': info,
            'resumed_keys': dict(self._resumed_keys),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        for key, buffer_state in state.get('log_scalars', {}).items():
            self._log_scalars[key] = HistoryBuffer.from_state_dict(buffer_state)
        self._runtime_info.update(state.get('runtime_info', {}))
        self._resumed_keys.update(state.get('resumed_keys', {}))
