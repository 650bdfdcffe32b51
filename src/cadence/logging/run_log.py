"""Where a run's logs go: the text log ``<log_dir>/<timestamp>.log`` and the console, plus the
JSON-lines scalar log ``<log_dir>/vis_data/scalars.json``."""

from __future__ import annotations

import json
import logging
import math
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError
from .logger import LOGGER_NAME

LOG_FORMAT = '%(asctime)s - %(name)s - %(levelname)s - %(message)s'
LEVELS = ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')

_attached: list[logging.Handler] = []


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
        stream = logging.StreamHandler(sys.stdout)
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


def _plain(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if hasattr(value, 'item'):
        return _plain(value.item())
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [_plain(v) for v in value]
    return str(value)


class ScalarLog:
    """Appends one JSON object per call (``{..., "step": N}``) to each of ``paths``.

    Lines are flushed immediately, so a crash loses nothing already logged.
    """

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)
        self._files: list[Any] = []

    def add_scalars(self, scalars: Mapping[str, Any], step: int) -> None:
        from ..dist import is_main_process  # here: importing cadence.logging needs no torch

        if not is_main_process():  # one scalar log per run: rank 0's
            return
        if not self._files:
            for path in self.paths:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
                self._files.append(open(path, 'a', encoding='utf-8'))  # noqa: SIM115
        line = json.dumps({**_plain(dict(scalars)), 'step': step}) + '\n'
        for handle in self._files:
            handle.write(line)
            handle.flush()

    def close(self) -> None:
        while self._files:
            self._files.pop().close()
