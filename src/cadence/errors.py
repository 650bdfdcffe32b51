"""Exceptions users see, and the did-you-mean helper every error message uses.

Each error names *where* the problem is (a config key path such as ``optim_wrapper.optimizer``),
*what* the bad value is, and *what would be valid*, so nobody has to read a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


class CadenceError(Exception):
    """Base class of every error Cadence raises on purpose."""


class ConfigError(CadenceError, ValueError):
    """A config file or value is wrong. ``key_path`` says where, when known."""

    def __init__(self, message: str, key_path: str | None = None) -> None:
        self.key_path = key_path
        self.message = message
        super().__init__(f'{key_path}: {message}' if key_path else message)


class BuildError(CadenceError):
    """Building an object from a config failed; the message carries the config key path.

    Errors raised inside a constructor are re-raised as a subclass of both ``BuildError`` and
    the original exception type (see :func:`with_key_path`), so ``except ValueError`` still works.
    """

    key_path: str | None = None


def did_you_mean(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates closest to ``name``, best first (case-insensitive)."""
    candidates = list(dict.fromkeys(str(c) for c in candidates))
    lowered = {c.lower(): c for c in candidates}
    matches = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    result = [lowered[m] for m in matches]
    # A substring hit ('Cosine' -> 'CosineAnnealingLR') is a good suggestion difflib misses.
    if len(result) < n and len(name) >= 3:
        for c in candidates:
            if c not in result and name.lower() in c.lower():
                result.append(c)
                if len(result) == n:
                    break
    return result


def suggestion_text(name: str, candidates: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` (with a leading space), or an empty string."""
    close = did_you_mean(name, candidates)
    if not close:
        return ''
    if len(close) == 1:
        return f' Did you mean {close[0]!r}?'
    return ' Did you mean ' + ', '.join(repr(c) for c in close[:-1]) + f' or {close[-1]!r}?'


def short_repr(value: Any, limit: int = 80) -> str:
    """``repr`` cut to ``limit`` characters, for values quoted inside messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + '...'


_KEY_PATH_SUBCLASSES: dict[type, type] = {}


def with_key_path(exc: BaseException, key_path: str, what: str) -> BaseException:
    """Return an exception that keeps ``exc``'s type and message and adds where it came from.

    ``what`` names the thing being built (for example ``"SGD"``). The result is an instance of
    ``BuildError`` *and* of ``type(exc)`` when that type can be subclassed safely, otherwise a
    plain ``BuildError``; the original is attached as ``__cause__`` by the caller.
    """
    message = f'{key_path} ({what}): {type(exc).__name__}: {exc}'
    base = type(exc)
    cls = _KEY_PATH_SUBCLASSES.get(base)
    if cls is None:
        namespace: dict[str, Any] = {'__module__': base.__module__}
        if issubclass(base, KeyError):
            # KeyError quotes its argument in str(); keep the message readable.
            namespace['__str__'] = lambda self: str(self.args[0]) if self.args else ''
        try:
            cls = type(base.__name__, (BuildError, base), namespace)
        except TypeError:
            cls = BuildError
        _KEY_PATH_SUBCLASSES[base] = cls
    try:
        err = cls(message)
    except Exception:
        err = BuildError(message)
    err.key_path = key_path
    return err
