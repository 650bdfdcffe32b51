"""Logging: the message hub, history buffers, the package logger, log lines, scalar backends
and the live progress display."""

from .history_buffer import HistoryBuffer
from .log_processor import LogProcessor
from .logger import get_logger, print_log
from .message_hub import MessageHub
from .run_log import attach_run_handlers, detach_run_handlers
from .vis_backends import BaseVisBackend, LocalVisBackend, TensorboardVisBackend
from .visualizer import UniversalVisualizer, Visualizer, build_visualizer

__all__ = [
    'BaseVisBackend',
    'HistoryBuffer',
    'LocalVisBackend',
    'LogProcessor',
    'MessageHub',
    'TensorboardVisBackend',
    'UniversalVisualizer',
    'Visualizer',
    'attach_run_handlers',
    'build_visualizer',
    'detach_run_handlers',
    'get_logger',
    'print_log',
]
