"""Parsing ``--cfg-options key=value`` pairs from the command line.

Values are read as int, float, bool (``true``/``false`` in any case), ``None``, lists
(``a,b`` or ``[a,b]``), tuples (``(a,b)``), dicts (``dict(a=1)`` or ``{'a': 1}``) or strings.
Unlike the reference, whitespace inside values is kept.
"""

from __future__ import annotations

import ast
from typing import Any

from ..errors import ConfigError


def parse_value(text: str) -> Any:
    """Turn one command-line value into a Python value (see the module docstring)."""
    value = text.strip()
    if value.lower() in ('true', 'false'):
        return value.lower() == 'true'
    if value in ('None', 'none', 'null'):
        return None
    for number in (int, float):
        try:
            return number(value)
        except ValueError:
            pass
    if value.startswith('dict(') or value.startswith('{'):
        return _parse_mapping(value)
    if len(value) >= 2 and value[0] == '[' and value[-1] == ']':
        return [parse_value(item) for item in _split_top_level(value[1:-1])]
    if len(value) >= 2 and value[0] == '(' and value[-1] == ')':
        return tuple(parse_value(item) for item in _split_top_level(value[1:-1]))
    items = _split_top_level(value)
    if len(items) > 1:
        return [parse_value(item) for item in items]
    if len(value) >= 2 and value[0] == value[-1] and value[0] in '\'"':
        return value[1:-1]
    return text


def _split_top_level(text: str) -> list[str]:
    """Split at commas that are not inside brackets or quotes; drops one trailing comma."""
    items: list[str] = []
    depth = 0
    quote = ''
    start = 0
    for i, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ''
        elif char in '\'"':
            quote = char
        elif char in '([{':
            depth += 1
        elif char in ')]}':
            depth -= 1
        elif char == ',' and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    if items and not items[-1].strip():
        items.pop()
    return [item.strip() for item in items]


def _parse_mapping(text: str) -> dict:
    try:
        node = ast.parse(text, mode='eval').body
        return _literal(node)
    except (SyntaxError, ValueError) as exc:
        raise ConfigError(
            f'cannot read {text!r} as a dict: {exc}. Write dict(key=value, ...) or '
            f'{{"key": value}} with literal values'
        ) from None


def _literal(node: ast.AST) -> Any:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'dict':
        if node.args:
            raise ValueError('dict() takes keyword arguments only here')
        return {kw.arg: _literal(kw.value) for kw in node.keywords if kw.arg is not None}
    if isinstance(node, ast.Dict):
        return {_literal(k): _literal(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.List):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_literal(e) for e in node.elts)
    if isinstance(node, ast.Name):
        # Bare words inside dict(...) are strings, as on the command line.
        lowered = node.id.lower()
        if lowered in ('true', 'false'):
            return lowered == 'true'
        if node.id in ('None', 'none', 'null'):
            return None
        return node.id
    return ast.literal_eval(node)


def parse_options(pairs: list[str]) -> dict[str, Any]:
    """``['a.b=1', 'c=x,y']`` -> ``{'a.b': 1, 'c': ['x', 'y']}``; later pairs win."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition('=')
        if not sep or not key.strip():
            raise ConfigError(
                f'--cfg-options expects key=value pairs, got {pair!r} '
                f'(for example optim_wrapper.optimizer.lr=0.01)'
            )
        options[key.strip()] = parse_value(value)
    return options
