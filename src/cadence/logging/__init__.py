"""Logging: the message hub, history buffers, the package logger, log lines and scalar logs."""

from .history_buffer import HistoryBuffer
from .log_processor import LogProcessor
from .logger import get_logger, print_log
from .message_hub import MessageHub
from .run_log import ScalarLog, attach_run_handlers, detach_run_handlers

__all__ = [
    'HistoryBuffer',
    'LogProcessor',
    'MessageHub',
    'ScalarLog',
    'attach_run_handlers',
    'detach_run_handlers',
    'get_logger',
    'print_log',
]
