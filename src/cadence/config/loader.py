"""Reading one config file (Python, JSON or YAML) with its ``_base_`` chain.

The result is a plain nested ``dict`` and a :class:`Provenance` that records the file and line of
every key. Python configs are executed with ``_base_`` bound to the merged base values, so
``lr = _base_.lr * 0.1`` works.
"""

from __future__ import annotations

import ast
import builtins
import copy
import inspect
import json
import os
import traceback
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import CadenceError, ConfigError
from .config_dict import ConfigDict, unwrap
from .merge import merge_into
from .provenance import Provenance, Source, display_path, join_path
from .substitution import (
    mark_base_references,
    resolve_base_references,
    substitute_env,
    substitute_predefined,
)

BASE_KEY = '_base_'
SUFFIXES = ('.py', '.json', '.yaml', '.yml')


@dataclass
class LoadedConfig:
    """A file's merged values, where each came from, and the file's own text."""

    data: dict
    provenance: Provenance
    text: str
    filename: str


def load_file(filename: str, use_predefined_variables: bool = True) -> LoadedConfig:
    """Load ``filename`` and everything it inherits from."""
    return _load(os.path.abspath(filename), use_predefined_variables, stack=())


def _load(path: str, use_predefined: bool, stack: tuple[str, ...]) -> LoadedConfig:
    if path in stack:
        chain = ' -> '.join(display_path(p) for p in (*stack[stack.index(path) :], path))
        raise ConfigError(f'circular _base_ inheritance: {chain}')
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in SUFFIXES:
        raise ConfigError(
            f'{display_path(path)}: unsupported config format {suffix or "(no extension)"!r}; '
            f'use one of {", ".join(SUFFIXES)}'
        )
    if not os.path.isfile(path):
        raise ConfigError(f'config file not found: {display_path(path)} (looked for {path})')
    with open(path, encoding='utf-8') as f:
        raw_text = f.read()
    text = raw_text
    if use_predefined:
        text = substitute_predefined(text, path)
        text = substitute_env(text, path)
    text = mark_base_references(text)
    if suffix == '.py':
        return _load_python(path, text, raw_text, use_predefined, stack)
    return _load_data_file(path, text, raw_text, suffix, use_predefined, stack)


# -- bases --------------------------------------------------------------------------------------


def _base_paths(value: Any, path: str, line: int | None) -> list[tuple[str, str]]:
    where = f'{display_path(path)}:{line}' if line else display_path(path)
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f'{where}: _base_ must be a path or a list of paths, got {value!r}')
    result = []
    for name in names:
        if '::' in name:
            raise ConfigError(
                f'{where}: package-relative base {name!r} is not supported here; copy the file '
                f'next to your config and refer to it by a relative path'
            )
        full = os.path.normpath(os.path.join(os.path.dirname(path), os.path.expanduser(name)))
        if not os.path.isfile(full):
            raise ConfigError(f'{where}: base config {name!r} not found (looked for {full})')
        result.append((name, full))
    return result


def _load_bases(
    bases: list[tuple[str, str]], use_predefined: bool, stack: tuple[str, ...]
) -> tuple[dict, Provenance]:
    data: dict = {}
    provenance = Provenance()
    owner: dict[str, str] = {}
    for _, full in bases:
        loaded = _load(full, use_predefined, stack)
        for key in loaded.data:
            if key in data:
                raise ConfigError(
                    f'duplicate key {key!r} in sibling base configs '
                    f'{display_path(owner[key])} and {display_path(full)}; a key may come from '
                    f'only one base file',
                    key,
                )
            owner[key] = full
        data.update(loaded.data)
        provenance.update(loaded.provenance)
    return data, provenance


# -- Python configs -----------------------------------------------------------------------------


def _load_python(
    path: str, text: str, raw_text: str, use_predefined: bool, stack: tuple[str, ...]
) -> LoadedConfig:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        line_text = (exc.text or '').strip()
        raise ConfigError(
            f'{display_path(path)}:{exc.lineno}: syntax error: {exc.msg}'
            + (f'\n    {line_text}' if line_text else '')
        ) from None

    bases: list[tuple[str, str]] = []
    body = []
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == BASE_KEY
        ):
            try:
                value = ast.literal_eval(stmt.value)
            except ValueError:
                raise ConfigError(
                    f'{display_path(path)}:{stmt.lineno}: _base_ must be a literal path or list '
                    f'of paths'
                ) from None
            bases += _base_paths(value, path, stmt.lineno)
        else:
            body.append(stmt)
    tree.body = body

    base_data, base_prov = _load_bases(bases, use_predefined, (*stack, path))
    namespace: dict[str, Any] = {
        '__file__': path,
        '__name__': '__cadence_config__',
        '__builtins__': builtins,
        BASE_KEY: ConfigDict(copy.deepcopy(base_data), _path=BASE_KEY),
    }
    try:
        exec(compile(tree, path, 'exec'), namespace)
    except CadenceError:
        raise
    except Exception as exc:
        raise _execution_error(exc, path, text) from exc

    child = {
        key: unwrap(value)
        for key, value in namespace.items()
        if not key.startswith('__') and key != BASE_KEY and _is_config_value(value)
    }
    child = resolve_base_references(child, base_data, display_path(path))
    child_prov = _python_sources(tree, path)
    merged = merge_into(base_data, child, base_prov, child_prov, child_name=display_path(path))
    return LoadedConfig(merged, base_prov, raw_text, path)


def _is_config_value(value: Any) -> bool:
    return not (
        isinstance(value, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType))
        or inspect.isclass(value)
    )


def _execution_error(exc: Exception, path: str, text: str) -> ConfigError:
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == path:
            line = lineno
    where = f'{display_path(path)}:{line}' if line else display_path(path)
    message = f'{type(exc).__name__}: {exc}'
    lines = text.splitlines()
    if line and line <= len(lines) and '__cadence_base_ref__' in lines[line - 1]:
        message = (
            '{{_base_.x}} can only be used as a whole value, not inside an expression; in a '
            'Python config write _base_.x instead (for example lr = _base_.lr * 0.01)'
        )
    return ConfigError(f'{where}: error while executing the config: {message}')


def _target_path(node: ast.AST) -> str | None:
    """``'a.b.c'`` for targets ``a``, ``a.b``, ``a['b']`` or ``a[0]``; ``None`` otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        parent = _target_path(node.value)
        return join_path(parent, node.attr) if parent else None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        parent = _target_path(node.value)
        return join_path(parent, node.slice.value) if parent else None
    return None


def _record_value(prov: Provenance, path: str, node: ast.AST, filename: str, line: int) -> None:
    prov.record(path, Source(filename, line))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'dict':
        for keyword in node.keywords:
            if keyword.arg is not None:
                _record_value(
                    prov,
                    join_path(path, keyword.arg),
                    keyword.value,
                    filename,
                    keyword.value.lineno,
                )
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, (str, int)):
                _record_value(prov, join_path(path, key.value), value, filename, value.lineno)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for index, element in enumerate(node.elts):
            _record_value(prov, join_path(path, index), element, filename, element.lineno)


def _python_sources(tree: ast.Module, filename: str) -> Provenance:
    prov = Provenance()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                targets = target.elts if isinstance(target, ast.Tuple) else [target]
                for single in targets:
                    path = _target_path(single)
                    if path is None:
                        continue
                    if len(targets) == 1:
                        prov.drop_subtree(path)
                        _record_value(prov, path, stmt.value, filename, stmt.lineno)
                    else:
                        prov.drop_subtree(path)
                        prov.record(path, Source(filename, stmt.lineno))
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
            path = _target_path(stmt.target)
            if path is not None:
                _record_value(prov, path, stmt.value, filename, stmt.lineno)
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and stmt.value.func.attr == 'update'
        ):
            path = _target_path(stmt.value.func.value)
            if path is not None:
                for keyword in stmt.value.keywords:
                    if keyword.arg is not None:
                        _record_value(
                            prov,
                            join_path(path, keyword.arg),
                            keyword.value,
                            filename,
                            stmt.lineno,
                        )
    return prov


# -- JSON and YAML configs ----------------------------------------------------------------------


def _load_data_file(
    path: str, text: str, raw_text: str, suffix: str, use_predefined: bool, stack: tuple[str, ...]
) -> LoadedConfig:
    where = display_path(path)
    if suffix == '.json':
        try:
            data = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            raise ConfigError(f'{where}:{exc.lineno}: invalid JSON: {exc.msg}') from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = f':{mark.line + 1}' if mark is not None else ''
            raise ConfigError(f'{where}{line}: invalid YAML: {exc.problem}') from None
        data = {} if data is None else data
    if not isinstance(data, Mapping):
        raise ConfigError(f'{where}: a config file must hold a mapping at the top level')

    child_prov = _data_file_sources(text, path, data)
    base_line = _line_of_key(child_prov, BASE_KEY)
    bases = _base_paths(data[BASE_KEY], path, base_line) if BASE_KEY in data else []
    child = {k: v for k, v in data.items() if k != BASE_KEY}
    child_prov.drop_subtree(BASE_KEY)

    base_data, base_prov = _load_bases(bases, use_predefined, (*stack, path))
    child = resolve_base_references(child, base_data, where)
    merged = merge_into(base_data, child, base_prov, child_prov, child_name=where)
    return LoadedConfig(merged, base_prov, raw_text, path)


def _line_of_key(prov: Provenance, key: str) -> int | None:
    history = prov.own(key)
    return history[0].line if history else None


def _data_file_sources(text: str, path: str, data: Mapping) -> Provenance:
    """Line numbers of every key, read from YAML's node tree (JSON parses as YAML too)."""
    prov = Provenance()
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        root = None
    if isinstance(root, yaml.MappingNode):
        _walk_node(prov, root, '', path)
    else:
        for key in data:
            prov.record(str(key), Source(path, None))
    return prov


def _walk_node(prov: Provenance, node: yaml.Node, path: str, filename: str) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            sub = join_path(path, key_node.value)
            prov.record(sub, Source(filename, key_node.start_mark.line + 1))
            _walk_node(prov, value_node, sub, filename)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            sub = join_path(path, index)
            prov.record(sub, Source(filename, item.start_mark.line + 1))
            _walk_node(prov, item, sub, filename)
