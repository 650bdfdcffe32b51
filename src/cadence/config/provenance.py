"""Where each config value was set: the file and line, or the command-line option.

A :class:`Provenance` maps dotted key paths (``optim_wrapper.optimizer.lr``,
``param_scheduler.0.end``) to the history of places that set them, oldest first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """One place that set a value: ``file``/``line`` for files, ``origin`` otherwise."""

    file: str | None = None
    line: int | None = None
    origin: str | None = None
    merged: bool = False

    def __str__(self) -> str:
        if self.file is None:
            return self.origin or 'unknown'
        path = display_path(self.file)
        return f'{path}:{self.line}' if self.line else path


def display_path(path: str) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith('..') else relative


def join_path(prefix: str, key: object) -> str:
    return f'{prefix}.{key}' if prefix else str(key)


class Provenance:
    """Key path -> list of :class:`Source`, with subtree operations used while merging."""

    def __init__(self, entries: dict[str, list[Source]] | None = None) -> None:
        self._entries: dict[str, list[Source]] = entries or {}

    def copy(self) -> Provenance:
        return Provenance({k: list(v) for k, v in self._entries.items()})

    def record(self, path: str, source: Source) -> None:
        """Append ``source`` to the history of ``path``."""
        self._entries.setdefault(path, []).append(source)

    def set(self, path: str, history: list[Source]) -> None:
        self._entries[path] = list(history)

    def own(self, path: str) -> list[Source]:
        """The history recorded for exactly ``path``."""
        return list(self._entries.get(path, ()))

    def subtree(self, path: str) -> dict[str, list[Source]]:
        """Entries at ``path`` and below it."""
        prefix = path + '.'
        return {k: list(v) for k, v in self._entries.items() if k == path or k.startswith(prefix)}

    def drop_subtree(self, path: str, keep_self: bool = False) -> None:
        """Forget everything recorded below ``path`` (and ``path`` itself unless ``keep_self``)."""
        prefix = path + '.'
        for key in [k for k in self._entries if k.startswith(prefix) or k == path]:
            if keep_self and key == path:
                continue
            del self._entries[key]

    def update(self, other: Provenance) -> None:
        for key, history in other._entries.items():
            self._entries.setdefault(key, []).extend(history)

    def history(self, path: str) -> tuple[list[Source], str]:
        """The history of ``path``, falling back to its nearest recorded ancestor.

        Returns ``(sources, owner)`` where ``owner`` is the path the sources belong to.
        """
        probe = path
        while True:
            if probe in self._entries:
                return list(self._entries[probe]), probe
            if '.' not in probe:
                return [], probe
            probe = probe.rsplit('.', 1)[0]

    def describe(self, path: str) -> str | None:
        """``'file.py:12'`` for the latest place that set ``path`` (or an ancestor), if known."""
        sources, _ = self.history(path)
        return str(sources[-1]) if sources else None

    def paths(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, path: object) -> bool:
        return path in self._entries

    def __repr__(self) -> str:
        return f'Provenance({len(self._entries)} paths)'
