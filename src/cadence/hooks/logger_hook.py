"""``LoggerHook``: writes log lines and the scalar log at logging intervals.

It is also where the run checks for non-finite losses: at every logging interval it asks the
Runner to scan the losses logged since the previous check (no per-iteration host sync).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from typing import Any

from ..errors import ConfigError
from ..registry import HOOKS
from .hook import Hook


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
    ) -> None:
        for name, value in (('interval', interval), ('interval_exp_name', interval_exp_name)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f'{name} must be a positive int, got {value!r}')
        if not isinstance(out_suffix, (str, Sequence)):
            raise ConfigError(f'out_suffix must be a str or a list of str, got {out_suffix!r}')
        if backend_args is not None:
            raise ConfigError('backend_args (remote storage) is not supported; use a local out_dir')
        self.interval = interval
        self.ignore_last = ignore_last
        self.interval_exp_name = interval_exp_name
        self.out_dir = out_dir
        self.out_suffix = (out_suffix,) if isinstance(out_suffix, str) else tuple(out_suffix)
        self.keep_local = keep_local
        self.log_metric_by_epoch = log_metric_by_epoch
        self._epoch_length = 0
        self._epoch_based = True

    def before_run(self, runner) -> None:
        if self.out_dir is not None:
            self.out_dir = os.path.join(self.out_dir, os.path.basename(runner.work_dir))

    def before_train(self, runner) -> None:
        self._epoch_length = len(runner.train_dataloader)
        self._epoch_based = runner.train_by_epoch

    def after_train_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        end_of_epoch = self._epoch_based and batch_idx + 1 == self._epoch_length
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

    def _after_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Any = None,
        outputs: Any = None,
        mode: str = 'train',
    ) -> None:
        # validation and test iterations (training has its own after_train_iter above)
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

    @staticmethod
    def _json_name(runner) -> str:
        """The local backend's per-run copy of the scalar log (the reference's)."""
        return f'{runner.timestamp}.json'

    def after_test_epoch(self, runner, metrics: dict | None = None) -> None:
        tag, line = runner.log_processor.get_log_after_epoch(
            runner, len(runner.test_dataloader), 'test', metrics
        )
        runner.logger.info(line)
        path = os.path.join(runner.log_dir, f'{runner.timestamp}.json')
        os.makedirs(runner.log_dir, exist_ok=True)
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump({k: v for k, v in tag.items() if isinstance(v, (int, float, str))}, handle)

    def after_run(self, runner) -> None:
        runner.visualizer.close()
        if self.out_dir is None:
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
