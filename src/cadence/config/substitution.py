"""Text substitutions applied to a config file before it is parsed.

- ``{{fileDirname}}``, ``{{fileBasename}}``, ``{{fileBasenameNoExtension}}``, ``{{fileExtname}}``
- ``{{$ENV_NAME}}`` / ``{{$ENV_NAME:default}}``
- ``{{_base_.a.b}}`` becomes a placeholder string, replaced by the base value after loading; like
  the reference it only works as a whole value.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError, suggestion_text

_PREDEFINED = re.compile(
    r'\{\{\s*(fileDirname|fileBasename|fileBasenameNoExtension|fileExtname)\s*\}\}'
)
_ENV = re.compile(r'\{\{\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*(?::([^}]*))?\}\}')
_BASE_REF = re.compile(r'([\'"]?)\{\{\s*_base_\.([\w.]+)\s*\}\}\1')
_PLACEHOLDER_PREFIX = '__cadence_base_ref__'
_PLACEHOLDER = re.compile(re.escape(_PLACEHOLDER_PREFIX) + r'([\w.]+?)__end__')


def substitute_predefined(text: str, filename: str) -> str:
    """Replace ``{{fileDirname}}`` and friends with values for ``filename``."""
    dirname = os.path.dirname(os.path.abspath(filename))
    basename = os.path.basename(filename)
    stem, ext = os.path.splitext(basename)
    values = {
        'fileDirname': dirname,
        'fileBasename': basename,
        'fileBasenameNoExtension': stem,
        'fileExtname': ext,
    }
    # Backslashes in Windows paths would become escapes inside Python string literals.
    return _PREDEFINED.sub(lambda m: values[m.group(1)].replace('\\', '/'), text)


def substitute_env(text: str, filename: str) -> str:
    """Replace ``{{$NAME}}`` / ``{{$NAME:default}}`` with the environment variable's value."""

    def replace(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        if name in os.environ:
            return os.environ[name]
        if default is not None:
            return default.strip()
        line = text.count('\n', 0, match.start()) + 1
        raise ConfigError(
            f'{filename}:{line}: environment variable {name!r} is not set and '
            f'{match.group(0)} gives no default (write {{{{${name}:default}}}})'
        )

    return _ENV.sub(replace, text)


def mark_base_references(text: str) -> str:
    """Turn each ``{{_base_.a.b}}`` into a quoted placeholder string."""
    return _BASE_REF.sub(lambda m: f'"{_PLACEHOLDER_PREFIX}{m.group(2)}__end__"', text)


def has_base_references(text: str) -> bool:
    return _BASE_REF.search(text) is not None


def lookup(tree: Any, dotted: str) -> Any:
    """``tree['a']['b']`` for ``'a.b'`` (numeric parts index lists); ``KeyError`` if absent."""
    node = tree
    for part in dotted.split('.'):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, (list, tuple)) and part.lstrip('-').isdigit():
            node = node[int(part)]
        else:
            raise KeyError(part)
    return node


def resolve_base_references(value: Any, base: Mapping, filename: str, path: str = '') -> Any:
    """Replace placeholder strings made by :func:`mark_base_references` with base values."""
    if isinstance(value, str) and _PLACEHOLDER_PREFIX in value:
        match = _PLACEHOLDER.fullmatch(value)
        if match is None:
            ref = _PLACEHOLDER.search(value)
            name = ref.group(1) if ref else '?'
            raise ConfigError(
                f'{filename}: {{{{_base_.{name}}}}} can only be used as a whole value, not inside '
                f'an expression or a longer string; in a Python config write _base_.{name} instead',
                path or None,
            )
        name = match.group(1)
        try:
            return copy.deepcopy(lookup(base, name))
        except (KeyError, IndexError):
            first = name.split('.')[0]
            raise ConfigError(
                f'{filename}: {{{{_base_.{name}}}}} refers to a key the base configs do not have.'
                f'{suggestion_text(first, [str(k) for k in base])}',
                path or None,
            ) from None
    if isinstance(value, Mapping):
        return {
            k: resolve_base_references(v, base, filename, f'{path}.{k}' if path else str(k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            resolve_base_references(v, base, filename, f'{path}.{i}') for i, v in enumerate(value)
        ]
    if isinstance(value, tuple) and not hasattr(value, '_fields'):
        return tuple(
            resolve_base_references(v, base, filename, f'{path}.{i}') for i, v in enumerate(value)
        )
    return value
