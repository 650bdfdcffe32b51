"""``LoggerHook``: writes log lines and the scalars at logging intervals, and drives the live
progress display on terminals.

It is also where the run checks for non-finite losses: at every logging interval it asks the
Runner to scan the losses logged since the previous check (no per-iteration host sync). An
iteration that does not log costs a couple of integer tests (and a clock read while the
progress display is live).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from typing import Any

from ..dist import is_main_process
from ..errors import ConfigError
from ..registry import HOOKS
from .hook import Hook


def _progress_display(runner) -> Any:
    """A started progress display when this process owns a terminal, else ``None``."""
    from ..dist import is_main_process
    from ..logging.progress import ProgressDisplay, stdout_is_terminal

    if not (is_main_process() and stdout_is_terminal()):
        return None
    display = ProgressDisplay(runner)
    display.start()
    return display


@HOOKS.register_module()
class LoggerHook(Hook):
    """Log training every ``interval`` iterations, validation and test results at the end.

    Args:
        interval: Log every this many iterations (of the epoch, or of training when
            iteration-based).
        ignore_last: Skip the partial interval at the end of an epoch (unless the whole epoch
            is shorter than ``interval``).
        interval_exp_name: Log the experiment name every this many iterations.
        out_dir: Also copy the run's log files to ``out_dir/<work_dir name>`` after the run.
        out_suffix: File endings copied to ``out_dir``.
        keep_local: Keep the local copies after copying them to ``out_dir``.
        log_metric_by_epoch: Write validation metrics with the epoch as step in epoch-based
            training (in iteration-based training the iteration is always used; the reference
            wrote 0 there).
        backend_args: Accepted for compatibility; only local paths are supported.
        progress: Show a live progress display (ETA, loss, lr, position) when standard output
            is a terminal; redirected output never gets one. Not a reference option.
    """

    priority = 'BELOW_NORMAL'

    def __init__(
        self,
        interval: int = 10,
        ignore_last: bool = True,
        interval_exp_name: int = 1000,
        out_dir: str | None = None,
        out_suffix: str | Sequence[str] = ('.json', '.log', '.py', 'yaml'),
        keep_local: bool = True,
        log_metric_by_epoch: bool = True,
        backend_args: dict | None = None,
        progress: bool = True,
    ) -> None:
        for name, value in (('interval', interval), ('interval_exp_name', interval_exp_name)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f'{name} must be a positive int, got {value!r}')
        if not isinstance(out_suffix, (str, Sequence)):
            raise ConfigError(f'out_suffix must be a str or a list of str, got {out_suffix!r}')
        if backend_args is not None:
            raise ConfigError('backend_args (remote storage) is not supported; use a local out_dir')
        if not isinstance(progress, bool):
            raise ConfigError(f'progress must be True or False, got {progress!r}')
        self.interval = interval
        self.ignore_last = ignore_last
        self.interval_exp_name = interval_exp_name
        self.out_dir = out_dir
        self.out_suffix = (out_suffix,) if isinstance(out_suffix, str) else tuple(out_suffix)
        self.keep_local = keep_local
        self.log_metric_by_epoch = log_metric_by_epoch
        self.progress = progress
        self._epoch_length = 0
        self._epoch_based = True
        self._last_batch = -1  # batch_idx + 1 of an epoch's last batch (-1: iteration-based)
        self._display: Any = None

    def before_run(self, runner) -> None:
        if self.out_dir is not None:
            self.out_dir = os.path.join(self.out_dir, os.path.basename(runner.work_dir))

    def before_train(self, runner) -> None:
        self._epoch_length = len(runner.train_dataloader)
        self._epoch_based = runner.train_by_epoch
        self._last_batch = self._epoch_length if self._epoch_based else -1
        self._open_display(runner)

    def after_train_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        display = self._display
        if display is not None:
            display.tick()
        done = batch_idx + 1
        if (
            done % self.interval
            and done != self._last_batch
            and (runner.iter + 1) % self.interval_exp_name
        ):
            return  # the common case: nothing to log
        end_of_epoch = done == self._last_batch
        if end_of_epoch or self.every_n_train_iters(runner, self.interval_exp_name):
            runner.logger.info(f'Exp name: {runner.experiment_name}')
        partial_last = end_of_epoch and (
            not self.ignore_last or self._epoch_length <= self.interval
        )
        if not (self.every_n_inner_iters(batch_idx, self.interval) or partial_last):
            return
        runner.check_losses()
        tag, line = runner.log_processor.get_log_after_iter(runner, batch_idx, 'train')
        runner.logger.info(line)
        runner.visualizer.add_scalars(tag, step=runner.iter + 1, file_path=self._json_name(runner))
        if display is not None:
            display.update_train(tag)

    def after_train(self, runner) -> None:
        self._close_display()

    @staticmethod
    def _json_name(runner) -> str:
        """The local backend's per-run copy of the scalar log (the reference's)."""
        return f'{runner.timestamp}.json'

    # -- validation and test -----------------------------------------------------------------

    def before_val(self, runner) -> None:
        self._start_eval(runner, 'val')

    def before_test(self, runner) -> None:
        self._start_eval(runner, 'test')

    def _start_eval(self, runner, mode: str) -> None:
        self._open_display(runner)
        if self._display is not None:
            loader = getattr(runner, f'{mode}_dataloader')
            self._display.eval_position = (mode, 0, len(loader))
            self._display.refresh()

    def _after_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Any = None,
        outputs: Any = None,
        mode: str = 'train',
    ) -> None:
        # validation and test iterations (training has its own after_train_iter above)
        display = self._display
        if display is not None and display.eval_position is not None:
            display.eval_position = (mode, batch_idx + 1, display.eval_position[2])
            display.tick()
        if self.every_n_inner_iters(batch_idx, self.interval):
            _, line = runner.log_processor.get_log_after_iter(runner, batch_idx, mode)
            runner.logger.info(line)

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        tag, line = runner.log_processor.get_log_after_epoch(
            runner, len(runner.val_dataloader), 'val', metrics
        )
        runner.logger.info(line)
        by_epoch = self.log_metric_by_epoch and runner.train_by_epoch
        step = runner.epoch if by_epoch else runner.iter
        runner.visualizer.add_scalars(tag, step=step, file_path=self._json_name(runner))
        if self._display is not None:
            self._display.update_val(tag)

    def after_val(self, runner) -> None:
        self._end_eval(runner)

    def after_test(self, runner) -> None:
        self._end_eval(runner)

    def _end_eval(self, runner) -> None:
        if self._display is None:
            return
        if runner.training:
            self._display.eval_position = None
            self._display.refresh()
        else:
            self._close_display()  # the finished bar stays on the screen

    # -- the progress display ----------------------------------------------------------------

    def _open_display(self, runner) -> None:
        if self.progress and self._display is None:
            self._display = _progress_display(runner)

    def _close_display(self) -> None:
        display, self._display = self._display, None
        if display is not None:
            display.stop()

    def after_test_epoch(self, runner, metrics: dict | None = None) -> None:
        tag, line = runner.log_processor.get_log_after_epoch(
            runner, len(runner.test_dataloader), 'test', metrics
        )
        runner.logger.info(line)
        if not is_main_process():
            return
        path = os.path.join(runner.log_dir, f'{runner.timestamp}.json')
        os.makedirs(runner.log_dir, exist_ok=True)
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump({k: v for k, v in tag.items() if isinstance(v, (int, float, str))}, handle)

    def after_run(self, runner) -> None:
        self._close_display()
        runner.visualizer.close()
        if self.out_dir is None or not is_main_process():
            return
        os.makedirs(self.out_dir, exist_ok=True)
        for root, _, files in os.walk(runner.log_dir):
            for name in files:
                if not name.endswith(self.out_suffix):
                    continue
                local = os.path.join(root, name)
                target = os.path.join(self.out_dir, os.path.relpath(local, runner.log_dir))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(local, target)
                if not self.keep_local:
                    os.remove(local)
        runner.logger.info(f'log files copied to {self.out_dir}')
