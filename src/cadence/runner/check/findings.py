"""What ``cadence check`` found: errors and warnings, each with its key path and file:line.

:class:`Findings` collects them from independent checks. Exceptions raised while a check builds
something become errors (:meth:`Findings.catching`); warnings the code under test logs or warns
become warnings (:func:`capture_warnings`), so nothing the Runner would say is lost and
nothing is printed twice.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import BuildError, ConfigError
from ...logging import get_logger

ERROR = 'error'
WARNING = 'warning'

#: A leading config key path in a logged message: ``custom_hooks.0: ...``.
_LEADING_PATH = re.compile(r'^([A-Za-z_]\w*(?:\.[^\s:]+)*)(?::\s+|\s+)(.*)$', re.DOTALL)
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass(frozen=True)
class Finding:
    """One problem: ``severity`` is ``'error'`` or ``'warning'``; ``location`` is the
    ``file:line`` (or command-line option) that set the value at ``key_path``."""

    severity: str
    key_path: str | None
    message: str
    location: str | None = None
    check: str = ''

    def text(self) -> str:
        """``key.path: message (file.py:12)``."""
        where = f' ({self.location})' if self.location else ''
        prefix = f'{self.key_path}: ' if self.key_path else ''
        return f'{prefix}{self.message}{where}'


def split_exception(exc: BaseException) -> tuple[str | None, str]:
    """``(key path, message without the key path)`` of an exception raised while building."""
    if isinstance(exc, ConfigError):
        return exc.key_path, exc.message
    text = str(exc) or type(exc).__name__
    key_path = getattr(exc, 'key_path', None) if isinstance(exc, BuildError) else None
    if key_path and text.startswith(key_path):
        text = text[len(key_path) :].lstrip(': ')
    elif not isinstance(exc, BuildError):
        text = f'{type(exc).__name__}: {text}'
    return key_path, text


class Findings:
    """Errors and warnings of one check run, in the order found.

    An error is dropped when an earlier check already reported one at the same key path (the
    same mistake seen again while building), or when it repeats one exactly.
    """

    def __init__(self, provenance: Any = None) -> None:
        self.items: list[Finding] = []
        self._provenance = provenance
        self.check = ''

    def add(self, severity: str, key_path: str | None, message: str) -> None:
        for old in self.items:
            if old.severity != severity or old.key_path != key_path:
                continue
            if old.message == message or (severity == ERROR and old.check != self.check):
                return
        location = None
        if key_path and self._provenance is not None:
            location = self._provenance.describe(key_path)
        self.items.append(Finding(severity, key_path, message, location, self.check))

    def error(self, message: str, key_path: str | None = None) -> None:
        self.add(ERROR, key_path, message)

    def warning(self, message: str, key_path: str | None = None) -> None:
        self.add(WARNING, key_path, message)

    def exception(self, exc: BaseException) -> None:
        """Record an exception raised while building something as an error."""
        key_path, message = split_exception(exc)
        self.error(message, key_path)

    @contextlib.contextmanager
    def catching(self) -> Iterator[None]:
        """Turn any exception of the block into an error and carry on after the block."""
        try:
            yield
        except Exception as exc:
            if os.environ.get('CADENCE_DEBUG') and not isinstance(exc, ConfigError):
                raise
            self.exception(exc)

    def has_error_under(self, prefix: str) -> bool:
        """Whether an error was found at ``prefix`` or below it."""
        return any(
            f.severity == ERROR
            and f.key_path is not None
            and (f.key_path == prefix or f.key_path.startswith(prefix + '.'))
            for f in self.items
        )

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if f.severity == WARNING]


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _leading_path(text: str, top_level: Mapping[str, Any]) -> tuple[str | None, str]:
    match = _LEADING_PATH.match(text)
    if match and match.group(1).split('.')[0].split('[')[0] in top_level:
        return match.group(1), match.group(2)
    return None, text


@contextlib.contextmanager
def capture_warnings(
    findings: Findings, cfg: Mapping[str, Any], key_path: str | None = None
) -> Iterator[None]:
    """Record what the ``cadence`` logger warns, and Python warnings raised from Cadence code,
    as warnings (a leading config key path in the text becomes the finding's key path, else
    ``key_path``).

    The logger's handlers are set aside meanwhile, so nothing reaches the terminal twice.
    """
    logger = get_logger()
    collector = _Collector()
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers = [collector]
    logger.propagate = False
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            yield
    finally:
        logger.handlers, logger.propagate, level = saved
        logger.setLevel(level)
        texts = [record.getMessage() for record in collector.records]
        texts += [
            str(item.message)
            for item in caught
            if os.path.abspath(item.filename).startswith(_PACKAGE_DIR)
        ]
        for text in texts:
            path, message = _leading_path(text, cfg)
            findings.warning(message, path or key_path)
