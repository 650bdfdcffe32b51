"""Logging: the message hub, history buffers and the package logger."""

from .history_buffer import HistoryBuffer
from .logger import get_logger, print_log
from .message_hub import MessageHub

__all__ = ['HistoryBuffer', 'MessageHub', 'get_logger', 'print_log']
