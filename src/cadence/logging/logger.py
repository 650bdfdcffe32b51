"""The ``cadence`` logger and ``print_log``."""

from __future__ import annotations

import logging
from typing import Any

LOGGER_NAME = 'cadence'


def get_logger(name: str = LOGGER_NAME) -> logging.Logger:
    """The package logger (``cadence``) or one of its children (``cadence.runner``)."""
    if name != LOGGER_NAME and not name.startswith(LOGGER_NAME + '.'):
        name = f'{LOGGER_NAME}.{name}'
    return logging.getLogger(name)


def print_log(
    msg: Any, logger: logging.Logger | str | None = None, level: int = logging.INFO
) -> None:
    """Log ``msg``: to ``logger`` (a Logger or a name), ``print`` when ``logger`` is ``None``,
    nowhere when it is ``'silent'``, and to the package logger for ``'current'``."""
    if logger is None:
        print(msg)
    elif logger == 'silent':
        return
    elif isinstance(logger, logging.Logger):
        logger.log(level, msg)
    elif isinstance(logger, str):
        get_logger(LOGGER_NAME if logger == 'current' else logger).log(level, msg)
    else:
        raise TypeError(
            f'logger must be a Logger, a name, "current", "silent" or None, got {logger!r}'
        )


logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())
