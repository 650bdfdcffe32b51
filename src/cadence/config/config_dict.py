"""``ConfigDict``: a dict with attribute access that knows its key path in the config.

Knowing the path lets every error raised while building from a node say where the node is
(``optim_wrapper.optimizer``) and, through the shared :class:`Provenance`, which file and line set
it, without the caller passing anything along.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import suggestion_text
from .provenance import Provenance, Source, join_path


class ConfigDict(dict):
    """A ``dict`` whose keys are also attributes; nested dicts become ``ConfigDict`` too."""

    def __init__(
        self, *args: Any, _path: str = '', _provenance: Provenance | None = None, **kwargs: Any
    ) -> None:
        object.__setattr__(self, '_cadence_path', _path)
        object.__setattr__(self, '_cadence_provenance', _provenance)
        object.__setattr__(self, '_cadence_tracking', False)
        super().__init__()
        for key, value in dict(*args, **kwargs).items():
            dict.__setitem__(self, key, self._wrap(key, value))
        object.__setattr__(self, '_cadence_tracking', True)

    # -- conversion ----------------------------------------------------------------------------

    def _wrap(self, key: Any, value: Any) -> Any:
        return wrap(value, join_path(self._cadence_path, key), self._cadence_provenance)

    def to_dict(self) -> dict:
        """A plain ``dict`` deep copy (nested ``ConfigDict`` and lists converted)."""
        return unwrap(self)

    # -- attribute access ----------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            where = self._cadence_path or 'the config'
            raise AttributeError(
                f'{where} has no key {name!r}.{suggestion_text(name, [str(k) for k in self])}'
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith('_cadence_'):
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, self._wrap(key, value))
        provenance = self._cadence_provenance
        if provenance is not None and self._cadence_tracking:
            path = join_path(self._cadence_path, key)
            provenance.drop_subtree(path, keep_self=True)
            provenance.record(path, Source(origin='Python code'))

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    # -- copying and pickling ------------------------------------------------------------------

    def copy(self) -> ConfigDict:
        return ConfigDict(self, _path=self._cadence_path, _provenance=self._cadence_provenance)

    def __copy__(self) -> ConfigDict:
        return self.copy()

    def __deepcopy__(self, memo: dict) -> ConfigDict:
        result = ConfigDict(_path=self._cadence_path, _provenance=self._cadence_provenance)
        memo[id(self)] = result
        for key, value in self.items():
            dict.__setitem__(result, copy.deepcopy(key, memo), copy.deepcopy(value, memo))
        return result

    def __reduce__(self) -> tuple:
        return (ConfigDict, (dict(self),))

    def __repr__(self) -> str:
        return f'ConfigDict({dict.__repr__(self)})'


def wrap(value: Any, path: str, provenance: Provenance | None) -> Any:
    """Convert dicts (also inside lists and tuples) to ``ConfigDict`` nodes at ``path``."""
    if isinstance(value, ConfigDict):
        if value._cadence_path == path and value._cadence_provenance is provenance:
            return value
        return ConfigDict(value, _path=path, _provenance=provenance)
    if isinstance(value, Mapping):
        return ConfigDict(value, _path=path, _provenance=provenance)
    if isinstance(value, list):
        return [wrap(v, join_path(path, i), provenance) for i, v in enumerate(value)]
    if isinstance(value, tuple) and not hasattr(value, '_fields'):
        return tuple(wrap(v, join_path(path, i), provenance) for i, v in enumerate(value))
    return value


def unwrap(value: Any) -> Any:
    """Deep-convert ``ConfigDict`` nodes back to plain dicts."""
    if isinstance(value, Mapping):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    if isinstance(value, tuple) and not hasattr(value, '_fields'):
        return tuple(unwrap(v) for v in value)
    return value


def key_path_of(node: Any) -> str | None:
    """The key path of a ``ConfigDict`` node, or ``None`` for anything else."""
    if isinstance(node, ConfigDict):
        return node._cadence_path or None
    return None


def location_of(node: Any, key: str) -> str | None:
    """``'file.py:12'`` where ``node[key]`` was set, when ``node`` came from a loaded config."""
    if not isinstance(node, ConfigDict) or node._cadence_provenance is None:
        return None
    return node._cadence_provenance.describe(join_path(node._cadence_path, key))


def iter_leaves(value: Any, prefix: str = '') -> Iterable[tuple[str, Any]]:
    """``(key path, value)`` for every value that is not a dict or a list holding containers."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from iter_leaves(item, join_path(prefix, key))
    elif (
        isinstance(value, (list, tuple))
        and any(isinstance(v, (Mapping, list, tuple)) for v in value)
        and not hasattr(value, '_fields')
    ):
        for index, item in enumerate(value):
            yield from iter_leaves(item, join_path(prefix, index))
    else:
        yield prefix, value
