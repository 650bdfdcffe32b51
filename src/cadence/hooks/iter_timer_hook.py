"""``IterTimerHook``: time per iteration, data-loading time, and the ETA."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from ..registry import HOOKS
from .hook import Hook


@HOOKS.register_module()
class IterTimerHook(Hook):
    """Records ``{mode}/data_time`` (waiting for the batch) and ``{mode}/time`` (the whole
    iteration, data included), and the training ETA as message-hub info ``eta``: the mean
    iteration time since this run's training started times the iterations left."""

    priority = 'NORMAL'

    _DATA_KEYS: ClassVar[dict[str, str]] = {
        mode: f'{mode}/data_time' for mode in ('train', 'val', 'test')
    }
    _TIME_KEYS: ClassVar[dict[str, str]] = {
        mode: f'{mode}/time' for mode in ('train', 'val', 'test')
    }

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self._train_start = self._last
        self._start_iter = 0

    def before_train(self, runner) -> None:
        self._train_start = time.perf_counter()
        self._start_iter = runner.iter

    def _before_epoch(self, runner, mode: str = 'train') -> None:
        self._last = time.perf_counter()

    # Training iterations (every iteration of a run) skip the generic _before_iter/_after_iter
    # dispatch of the base class.
    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        runner.message_hub.update_scalar('train/data_time', time.perf_counter() - self._last)

    def after_train_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        now = time.perf_counter()
        hub = runner.message_hub
        hub.update_scalar('train/time', now - self._last)
        self._last = now
        current = runner.iter
        hub.update_info(
            'eta',
            (now - self._train_start)
            / (current + 1 - self._start_iter)
            * (runner.max_iters - current - 1),
        )

    def _before_iter(
        self, runner, batch_idx: int, data_batch: Any = None, mode: str = 'train'
    ) -> None:
        runner.message_hub.update_scalar(self._DATA_KEYS[mode], time.perf_counter() - self._last)

    def _after_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Any = None,
        outputs: Any = None,
        mode: str = 'train',
    ) -> None:
        now = time.perf_counter()
        hub = runner.message_hub
        hub.update_scalar(self._TIME_KEYS[mode], now - self._last)
        self._last = now
