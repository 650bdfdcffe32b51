"""``Config``: a loaded configuration with attribute access, merging, dumping and provenance."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from ..errors import ConfigError, short_repr, suggestion_text
from .config_dict import ConfigDict, iter_leaves, unwrap
from .imports import import_custom_modules
from .loader import load_file
from .merge import set_by_path
from .pretty import format_python, to_plain_data
from .provenance import Provenance, Source
from .substitution import lookup

_INTERNAL = ('_cfg_dict', '_provenance', '_filename', '_text')


class Config:
    """A whole configuration: nested values plus where each value was set.

    Build one with :meth:`fromfile` (``.py``, ``.json``, ``.yaml``), or from a dict. Values are
    reachable as attributes (``cfg.optim_wrapper.optimizer.lr``) or items, and
    :meth:`explain` says which file and line set a value and what overrode it.
    """

    def __init__(
        self,
        cfg_dict: Mapping[str, Any] | None = None,
        filename: str | None = None,
        text: str | None = None,
        provenance: Provenance | None = None,
    ) -> None:
        if cfg_dict is not None and not isinstance(cfg_dict, Mapping):
            raise TypeError(f'cfg_dict must be a dict, got {type(cfg_dict).__name__}')
        provenance = provenance if provenance is not None else Provenance()
        if cfg_dict is not None and provenance.paths() == []:
            for key in cfg_dict:
                provenance.record(str(key), Source(origin='Config(dict)'))
        object.__setattr__(self, '_provenance', provenance)
        object.__setattr__(
            self, '_cfg_dict', ConfigDict(unwrap(cfg_dict or {}), _provenance=provenance)
        )
        object.__setattr__(self, '_filename', filename)
        object.__setattr__(self, '_text', text or '')

    # -- loading -------------------------------------------------------------------------------

    @staticmethod
    def fromfile(
        filename: str | os.PathLike,
        use_predefined_variables: bool = True,
        import_custom_modules: bool = True,
    ) -> Config:
        """Load a config file with its ``_base_`` chain; run its ``custom_imports``."""
        loaded = load_file(os.fspath(filename), use_predefined_variables)
        cfg = Config(
            loaded.data, filename=loaded.filename, text=loaded.text, provenance=loaded.provenance
        )
        if import_custom_modules and 'custom_imports' in cfg:
            import_custom_modules_from(cfg)
        return cfg

    @staticmethod
    def fromstring(text: str, file_format: str) -> Config:
        """Load a config from ``text`` in ``file_format`` (``.py``, ``.json`` or ``.yaml``)."""
        import tempfile

        if not file_format.startswith('.'):
            file_format = '.' + file_format
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'config' + file_format)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            return Config.fromfile(path)

    # -- basic access --------------------------------------------------------------------------

    @property
    def filename(self) -> str | None:
        return self._filename

    @property
    def text(self) -> str:
        """The text of the file this config was loaded from (without its bases)."""
        return self._text

    @property
    def provenance(self) -> Provenance:
        return self._provenance

    def __getattr__(self, name: str) -> Any:
        if name.startswith('__'):
            raise AttributeError(name)
        return getattr(self._cfg_dict, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _INTERNAL:
            object.__setattr__(self, name, value)
        else:
            self._cfg_dict[name] = value

    def __delattr__(self, name: str) -> None:
        delattr(self._cfg_dict, name)

    def __getitem__(self, key: str) -> Any:
        return self._cfg_dict[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._cfg_dict[key] = value

    def __delitem__(self, key: str) -> None:
        del self._cfg_dict[key]

    def __contains__(self, key: object) -> bool:
        return key in self._cfg_dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._cfg_dict)

    def __len__(self) -> int:
        return len(self._cfg_dict)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Config):
            return self.to_dict() == other.to_dict()
        if isinstance(other, Mapping):
            return self.to_dict() == unwrap(other)
        return NotImplemented

    def get(self, key: str, default: Any = None) -> Any:
        return self._cfg_dict.get(key, default)

    def keys(self):
        return self._cfg_dict.keys()

    def values(self):
        return self._cfg_dict.values()

    def items(self):
        return self._cfg_dict.items()

    def pop(self, key: str, *default: Any) -> Any:
        return self._cfg_dict.pop(key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return self._cfg_dict.setdefault(key, default)

    def to_dict(self) -> dict:
        """A deep copy as plain dicts and lists."""
        return unwrap(self._cfg_dict)

    def copy(self) -> Config:
        return self.__deepcopy__({})

    def __copy__(self) -> Config:
        return self.__deepcopy__({})

    def __deepcopy__(self, memo: dict) -> Config:
        provenance = self._provenance.copy()
        return Config(copy.deepcopy(self.to_dict(), memo), self._filename, self._text, provenance)

    def __reduce__(self) -> tuple:
        return (Config, (self.to_dict(), self._filename, self._text))

    def __repr__(self) -> str:
        name = f' from {self._filename}' if self._filename else ''
        return f'Config{name}: {dict.__repr__(self._cfg_dict)}'

    # -- dotted keys ---------------------------------------------------------------------------

    def get_path(self, key_path: str) -> Any:
        """The value at a dotted key path (``'param_scheduler.0.end'``)."""
        try:
            return lookup(self._cfg_dict, key_path)
        except (KeyError, IndexError, TypeError):
            parts = key_path.split('.')
            node: Any = self._cfg_dict
            walked = []
            for part in parts:
                if isinstance(node, Mapping) and part in node:
                    node = node[part]
                elif isinstance(node, (list, tuple)) and part.isdigit() and int(part) < len(node):
                    node = node[int(part)]
                else:
                    keys = [str(k) for k in node] if isinstance(node, Mapping) else []
                    where = '.'.join(walked) or 'the config'
                    raise ConfigError(
                        f'{where} has no key {part!r}.{suggestion_text(part, keys)}', key_path
                    ) from None
                walked.append(part)
            raise

    def merge_from_dict(
        self,
        options: Mapping[str, Any],
        allow_list_keys: bool = True,
        source: str = '--cfg-options',
    ) -> None:
        """Apply ``{'a.b.c': value}`` overrides, as ``--cfg-options`` does.

        Numeric key parts index lists (``param_scheduler.0.end``) when ``allow_list_keys``.
        ``source`` is what :meth:`explain` reports as having set the values.
        """
        data = self.to_dict()
        for key_path, value in options.items():
            if not allow_list_keys and any(p.isdigit() for p in key_path.split('.')):
                raise ConfigError('list indices are not allowed in these keys', key_path)
            set_by_path(data, key_path, unwrap(value), self._provenance, Source(origin=source))
        object.__setattr__(self, '_cfg_dict', ConfigDict(data, _provenance=self._provenance))

    # -- provenance ----------------------------------------------------------------------------

    def sources(self, key_path: str) -> list[Source]:
        """Every place that set ``key_path`` (or the nearest ancestor that did), oldest first."""
        self.get_path(key_path)
        return self._provenance.history(key_path)[0]

    def explain(self, key_path: str) -> str:
        """``'optim_wrapper.optimizer.lr = 0.01 (x.py:4, overridden by --cfg-options)'``."""
        value = self.get_path(key_path)
        history, owner = self._provenance.history(key_path)
        shown = short_repr(unwrap(value), 120)
        if not history:
            return f'{key_path} = {shown} (origin unknown)'
        parts = [str(history[0])]
        for source in history[1:]:
            verb = 'updated by' if source.merged else 'overridden by'
            parts.append(f'{verb} {source}')
        where = ', '.join(parts)
        if owner != key_path:
            where = f'as part of {owner}: {where}'
        return f'{key_path} = {shown} ({where})'

    def explain_all(self) -> list[str]:
        """:meth:`explain` for every leaf value."""
        return [self.explain(path) for path, _ in iter_leaves(self._cfg_dict) if path]

    # -- output --------------------------------------------------------------------------------

    @property
    def pretty_text(self) -> str:
        """The config as Python source (loads back to an equal config)."""
        return format_python(self.to_dict())

    def dump(self, file: str | os.PathLike | None = None, file_format: str | None = None) -> str:
        """Write the config to ``file`` (format from its extension) and return the text."""
        if file_format is None:
            file_format = os.path.splitext(os.fspath(file))[1] if file is not None else '.py'
        file_format = file_format.lower()
        if file_format == '.py':
            text = self.pretty_text
        elif file_format == '.json':
            text = json.dumps(to_plain_data(self.to_dict()), indent=4) + '\n'
        elif file_format in ('.yaml', '.yml'):
            text = yaml.safe_dump(to_plain_data(self.to_dict()), sort_keys=False)
        else:
            raise ConfigError(f'cannot dump a config as {file_format!r}; use .py, .json or .yaml')
        if file is not None:
            directory = os.path.dirname(os.path.abspath(os.fspath(file)))
            os.makedirs(directory, exist_ok=True)
            with open(file, 'w', encoding='utf-8') as f:
                f.write(text)
        return text


def import_custom_modules_from(cfg: Config | Mapping[str, Any]) -> list[Any]:
    """Run a config's ``custom_imports=dict(imports=[...], allow_failed_imports=False)``."""
    spec = cfg.get('custom_imports')
    if spec is None:
        return []
    if not isinstance(spec, Mapping) or 'imports' not in spec:
        raise ConfigError(
            'must be dict(imports=[...], allow_failed_imports=False)', 'custom_imports'
        )
    unknown = set(spec) - {'imports', 'allow_failed_imports'}
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigError(
            f'unknown key {name!r}.{suggestion_text(name, ["imports", "allow_failed_imports"])}',
            'custom_imports',
        )
    return import_custom_modules(spec['imports'], bool(spec.get('allow_failed_imports', False)))
