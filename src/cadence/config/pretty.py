"""Formatting a config as Python source that loads back to the same values."""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from typing import Any

WIDTH = 100
INDENT = '    '


def format_python(data: Mapping[str, Any]) -> str:
    """The whole config as ``key = value`` statements."""
    lines = []
    for key, value in data.items():
        if not _is_identifier(key):
            raise ValueError(f'top-level key {key!r} is not a Python identifier')
        lines.append(f'{key} = {format_value(value, len(key) + 3)}')
    return '\n'.join(lines) + '\n'


def _is_identifier(key: Any) -> bool:
    return isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key)


def import_path(value: Any) -> str | None:
    """``'module.QualName'`` for a class or function, else ``None``."""
    module = getattr(value, '__module__', None)
    name = getattr(value, '__qualname__', getattr(value, '__name__', None))
    return f'{module}.{name}' if callable(value) and module and name else None


def _scalar(value: Any) -> str:
    path = import_path(value)
    if path is not None:
        return repr(path)
    if isinstance(value, float) and value != value:
        return "float('nan')"
    if isinstance(value, float) and value in (float('inf'), float('-inf')):
        return "float('inf')" if value > 0 else "float('-inf')"
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return repr(value)
    # torch.dtype and friends: keep a readable, loadable string.
    return repr(str(value))


def format_value(value: Any, column: int = 0, depth: int = 0) -> str:
    """``value`` as Python source, on one line when it fits, otherwise one item per line."""
    one_line = _one_line(value)
    if column + len(one_line) <= WIDTH or not isinstance(value, (Mapping, list, tuple)):
        return one_line
    pad = INDENT * (depth + 1)
    if isinstance(value, Mapping):
        if all(_is_identifier(k) for k in value):
            items = [
                f'{pad}{k}={format_value(v, len(pad) + len(k) + 1, depth + 1)}'
                for k, v in value.items()
            ]
            return 'dict(\n' + ',\n'.join(items) + ')'
        items = [
            f'{pad}{k!r}: {format_value(v, len(pad) + len(repr(k)) + 2, depth + 1)}'
            for k, v in value.items()
        ]
        return '{\n' + ',\n'.join(items) + '}'
    open_, close = ('[', ']') if isinstance(value, list) else ('(', ')')
    items = [f'{pad}{format_value(v, len(pad), depth + 1)}' for v in value]
    trailing = ',' if isinstance(value, tuple) and len(value) == 1 else ''
    return open_ + '\n' + ',\n'.join(items) + trailing + close


def _one_line(value: Any) -> str:
    if isinstance(value, Mapping):
        if all(_is_identifier(k) for k in value):
            return 'dict(' + ', '.join(f'{k}={_one_line(v)}' for k, v in value.items()) + ')'
        return '{' + ', '.join(f'{k!r}: {_one_line(v)}' for k, v in value.items()) + '}'
    if isinstance(value, list):
        return '[' + ', '.join(_one_line(v) for v in value) + ']'
    if isinstance(value, tuple) and not hasattr(value, '_fields'):
        if len(value) == 1:
            return f'({_one_line(value[0])},)'
        return '(' + ', '.join(_one_line(v) for v in value) + ')'
    return _scalar(value)


def to_plain_data(value: Any) -> Any:
    """Values JSON and YAML can hold: tuples become lists, classes their import path."""
    if isinstance(value, Mapping):
        return {str(k): to_plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain_data(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    path = import_path(value)
    return path if path is not None else str(value)
