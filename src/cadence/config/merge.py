"""Merging a child config into its base, keeping the provenance of every value.

Rules (the reference's, see ``docs/config.md``): dicts merge recursively, lists and scalars
replace, ``_delete_=True`` replaces a dict instead of merging, and a dict over a non-dict base is
an error unless the base value is ``None`` (then it simply replaces it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError, short_repr
from .provenance import Provenance, Source, join_path

DELETE_KEY = '_delete_'


def strip_delete_keys(value: Any) -> Any:
    """A copy of ``value`` without ``_delete_`` markers (they are for merging only)."""
    if isinstance(value, Mapping):
        return {k: strip_delete_keys(v) for k, v in value.items() if k != DELETE_KEY}
    if isinstance(value, list):
        return [strip_delete_keys(v) for v in value]
    if isinstance(value, tuple) and not hasattr(value, '_fields'):
        return tuple(strip_delete_keys(v) for v in value)
    return value


def merge_into(
    base: dict,
    child: Mapping,
    base_prov: Provenance,
    child_prov: Provenance,
    path: str = '',
    child_name: str = 'the child config',
) -> dict:
    """Merge ``child`` into a copy of ``base``; ``base_prov`` is updated in place to match.

    ``child_prov`` holds the child's own sources (its paths are absolute key paths).
    """
    result = dict(base)
    for key, value in child.items():
        if key == DELETE_KEY:
            continue
        key_path = join_path(path, key)
        own = child_prov.own(key_path)
        if isinstance(value, Mapping):
            replace = bool(value.get(DELETE_KEY, False))
            current = result.get(key)
            if not replace and isinstance(current, Mapping):
                result[key] = merge_into(
                    dict(current), value, base_prov, child_prov, key_path, child_name
                )
                for source in own:
                    base_prov.record(
                        key_path, Source(source.file, source.line, source.origin, merged=True)
                    )
                continue
            if not replace and key in result and current is not None:
                where = base_prov.describe(key_path)
                raise ConfigError(
                    f'{child_name} sets a dict, but the base value is '
                    f'{type(current).__name__} {short_repr(current)}'
                    f'{f" (from {where})" if where else ""}; add _delete_=True to the dict to '
                    f'replace the base value',
                    key_path,
                )
        history = base_prov.own(key_path)
        base_prov.drop_subtree(key_path)
        result[key] = strip_delete_keys(value)
        if history or own:
            base_prov.set(key_path, history + own)
        for sub_path, sub_history in child_prov.subtree(key_path).items():
            if sub_path != key_path:
                base_prov.set(sub_path, sub_history)
    return result


def set_by_path(
    root: dict,
    key_path: str,
    value: Any,
    provenance: Provenance,
    source: Source,
) -> None:
    """Set a dotted ``key_path`` (numeric parts index lists) in ``root`` to ``value``.

    Missing dict keys are created. A dict ``value`` merges into an existing dict like a config
    file would (``_delete_=True`` replaces instead).
    """
    parts = key_path.split('.')
    node: Any = root
    walked = ''
    for part in parts[:-1]:
        node, walked = _descend(node, part, walked, key_path, create=True)
    last = parts[-1]
    full = join_path(walked, last)
    if isinstance(node, list):
        index = _list_index(node, last, walked, key_path)
        current = node[index]
    else:
        current = node.get(last)
    if isinstance(value, Mapping) and (isinstance(current, Mapping) or current is None):
        child_prov = Provenance()
        child_prov.record(full, source)
        for sub_key in _leaf_paths(value, full):
            child_prov.record(sub_key, source)
        wrapper = {last: value}
        if isinstance(node, list):
            merged = merge_into({last: current}, wrapper, provenance, child_prov, walked)
            node[index] = merged[last]
        else:
            merged = merge_into(dict(node), wrapper, provenance, child_prov, walked)
            node[last] = merged[last]
        return
    provenance.drop_subtree(full, keep_self=True)
    provenance.record(full, source)
    if isinstance(node, list):
        node[index] = value
    else:
        node[last] = value


def _leaf_paths(value: Mapping, prefix: str) -> list[str]:
    paths = []
    for key, item in value.items():
        sub = join_path(prefix, key)
        paths.append(sub)
        if isinstance(item, Mapping):
            paths.extend(_leaf_paths(item, sub))
    return paths


def _list_index(node: list, part: str, walked: str, key_path: str) -> int:
    if not part.lstrip('-').isdigit():
        raise ConfigError(
            f'cannot set {key_path!r}: {walked or "the config"} is a list, so the next part of '
            f'the key must be an index (0..{len(node) - 1}), not {part!r}',
            walked,
        )
    index = int(part)
    if not -len(node) <= index < len(node):
        raise ConfigError(
            f'cannot set {key_path!r}: index {index} is out of range for a list of '
            f'{len(node)} item{"s" if len(node) != 1 else ""}',
            walked,
        )
    return index


def _descend(node: Any, part: str, walked: str, key_path: str, create: bool) -> tuple[Any, str]:
    here = join_path(walked, part)
    leaf = key_path.split('.')[-1]
    if isinstance(node, list):
        index = _list_index(node, part, walked, key_path)
        child = node[index]
    elif isinstance(node, dict):
        if part not in node or (node[part] is None and create):
            if part in node:
                raise ConfigError(
                    f'cannot set {key_path!r}: {here} is None, not a dict. Set the whole '
                    f'value instead, for example --cfg-options {here}="dict({leaf}=...)"',
                    here,
                )
            node[part] = {}
        child = node[part]
    else:
        raise ConfigError(
            f'cannot set {key_path!r}: {walked} is {type(node).__name__} {short_repr(node)}, '
            f'not a dict or list',
            walked,
        )
    if not isinstance(child, (dict, list)):
        raise ConfigError(
            f'cannot set {key_path!r}: {here} is {type(child).__name__} {short_repr(child)}, '
            f'not a dict or list; set {here} itself to a dict value to replace it',
            here,
        )
    return child, here
