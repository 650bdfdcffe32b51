"""Where a run's text log goes: ``<log_dir>/<timestamp>.log`` and the console.

(Scalars go to the visualizer's backends, see ``visualizer.py``.) The console handler writes to
whatever ``sys.stdout`` is when a record is emitted, so while the live progress display holds
the terminal, log lines go through it and print above the progress bar.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from ..errors import ConfigError
from .logger import LOGGER_NAME
from .progress import print_above

LOG_FORMAT = '%(asctime)s - %(name)s - %(levelname)s - %(message)s'
LEVELS = ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')

_attached: list[logging.Handler] = []


class StdoutHandler(logging.StreamHandler):
    """A ``StreamHandler`` on the *current* ``sys.stdout`` (re-read for every record, so a
    later redirection is followed); while the progress display is live, records print above
    it, unwrapped."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if print_above(self.format(record)):
                return
        except Exception:  # a log line must never break training
            self.handleError(record)
            return
        self.stream = sys.stdout
        super().emit(record)


def check_log_level(level: Any) -> int:
    """The ``logging`` level of a config's ``log_level`` (a name or a number)."""
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    if isinstance(level, str) and level.upper() in LEVELS:
        return getattr(logging, level.upper())
    raise ConfigError(f'must be one of {", ".join(LEVELS)}, got {level!r}', 'log_level')


def attach_run_handlers(log_file: str | None, level: Any = 'INFO', console: bool = True) -> None:
    """Send the ``cadence`` logger to ``log_file`` and the console, replacing the handlers a
    previous run in this process attached."""
    detach_run_handlers()
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(check_log_level(level))
    formatter = logging.Formatter(LOG_FORMAT)
    if log_file is not None:
        os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
        file_handler = logging.FileHandler(log_file, encoding='utf-8')
        file_handler.setFormatter(formatter)
        _attached.append(file_handler)
    if console:
        stream = StdoutHandler()
        stream.setFormatter(formatter)
        _attached.append(stream)
    for handler in _attached:
        logger.addHandler(handler)


def detach_run_handlers() -> None:
    """Remove (and close) the handlers :func:`attach_run_handlers` added."""
    logger = logging.getLogger(LOGGER_NAME)
    while _attached:
        handler = _attached.pop()
        logger.removeHandler(handler)
        handler.close()
