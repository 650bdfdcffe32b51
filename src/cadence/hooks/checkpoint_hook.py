"""``CheckpointHook``: regular checkpoints, the best one, the last one, and published copies.

Regular files are ``epoch_N.pth`` / ``iter_N.pth`` (``N`` completed epochs or iterations).
Each is written atomically; ``<work_dir>/last_checkpoint`` is updated only once the file is
complete, and older files beyond ``max_keep_ckpts`` are deleted only after that, so a kill at
any moment leaves a loadable checkpoint behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Sequence
from typing import Any

import torch

from ..dist import is_main_process
from ..errors import ConfigError, suggestion_text
from ..registry import HOOKS
from ..runner.checkpoint import (
    load_checkpoint_file,
    remove_stale_temporaries,
    save_bytes_file,
    write_last_checkpoint,
)
from .hook import Hook

RULES = ('greater', 'less')
DEFAULT_GREATER_KEYS = (
    'acc',
    'top',
    'AR@',
    'auc',
    'precision',
    'mAP',
    'mDice',
    'mIoU',
    'mAcc',
    'aAcc',
)
DEFAULT_LESS_KEYS = ('loss',)


def infer_rule(key: str, greater_keys: Sequence[str], less_keys: Sequence[str]) -> str:
    """``'greater'`` or ``'less'`` for a metric name (case-insensitive; exact names first,
    then substrings; greater keys before less keys)."""
    name = key.lower()
    for keys, rule in ((greater_keys, 'greater'), (less_keys, 'less')):
        if any(name == k.lower() for k in keys):
            return rule
    for keys, rule in ((greater_keys, 'greater'), (less_keys, 'less')):
        if any(k.lower() in name for k in keys):
            return rule
    raise ConfigError(
        f'cannot tell whether a higher or lower {key!r} is better: it contains none of '
        f'{list(greater_keys)} (higher is better) or {list(less_keys)} (lower is better); '
        f"set rule='greater' or rule='less'",
        'default_hooks.checkpoint.rule',
    )


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@HOOKS.register_module()
class CheckpointHook(Hook):
    """Save checkpoints during training.

    Args:
        interval: Save every this many epochs (``by_epoch``) or iterations; ``-1`` only saves
            the last one (with ``save_last``).
        by_epoch: Count ``interval`` in epochs (saved after the epoch) or iterations.
        save_optimizer: Include the optimizer state (needed to resume).
        save_param_scheduler: Include the schedulers' progress (needed to resume).
        out_dir: Where to save; ``None`` means the work dir, otherwise
            ``out_dir/<work_dir name>``.
        max_keep_ckpts: Keep only this many regular checkpoints (``-1``: all).
        save_last: Always save after the last epoch or iteration.
        save_best: Metric name(s) whose best value gets its own checkpoint, or ``'auto'`` for
            the first metric.
        rule: ``'greater'`` or ``'less'`` (or one per ``save_best`` name); inferred from the
            metric name when ``None``.
        greater_keys: Names meaning "higher is better" for the inference.
        less_keys: Names meaning "lower is better" for the inference.
        filename_tmpl: File name with a ``{}`` for the count (``'epoch_{}.pth'`` /
            ``'iter_{}.pth'`` by default).
        backend_args: Accepted for compatibility; only local paths are supported.
        published_keys: After training, copy the last and best checkpoints keeping only these
            keys, named ``<name>-<sha256[:8]>.pth``.
        save_begin: The first epoch or iteration (count) at which interval saving starts.
    """

    priority = 'VERY_LOW'

    def __init__(
        self,
        interval: int = -1,
        by_epoch: bool = True,
        save_optimizer: bool = True,
        save_param_scheduler: bool = True,
        out_dir: str | None = None,
        max_keep_ckpts: int = -1,
        save_last: bool = True,
        save_best: str | Sequence[str] | None = None,
        rule: str | Sequence[str] | None = None,
        greater_keys: Sequence[str] | None = None,
        less_keys: Sequence[str] | None = None,
        filename_tmpl: str | None = None,
        backend_args: dict | None = None,
        published_keys: str | Sequence[str] | None = None,
        save_begin: int = 0,
    ) -> None:
        for name, value in (('interval', interval), ('max_keep_ckpts', max_keep_ckpts)):
            if isinstance(value, bool) or not isinstance(value, int) or value == 0:
                raise ConfigError(f'{name} must be a positive int or -1, got {value!r}')
        if isinstance(save_begin, bool) or not isinstance(save_begin, int) or save_begin < 0:
            raise ConfigError(f'save_begin must be a non-negative int, got {save_begin!r}')
        if backend_args is not None:
            raise ConfigError('backend_args (remote storage) is not supported; use a local out_dir')
        if filename_tmpl is not None and '{}' not in filename_tmpl:
            raise ConfigError(f"filename_tmpl must contain '{{}}', got {filename_tmpl!r}")
        self.interval = interval
        self.by_epoch = by_epoch
        self.save_optimizer = save_optimizer
        self.save_param_scheduler = save_param_scheduler
        self._out_dir_arg = out_dir
        self.out_dir = out_dir
        self.max_keep_ckpts = max_keep_ckpts
        self.save_last = save_last
        self.filename_tmpl = filename_tmpl or ('epoch_{}.pth' if by_epoch else 'iter_{}.pth')
        self.save_begin = save_begin
        self.published_keys = _as_list(published_keys) or None
        self.greater_keys = tuple(_as_list(greater_keys)) or DEFAULT_GREATER_KEYS
        self.less_keys = tuple(_as_list(less_keys)) or DEFAULT_LESS_KEYS
        self.save_best = _as_list(save_best)
        if any(not isinstance(k, str) for k in self.save_best):
            raise ConfigError(
                f'save_best must be a metric name or a list of names, got {save_best!r}'
            )
        if 'auto' in self.save_best and len(self.save_best) > 1:
            raise ConfigError("save_best='auto' cannot be combined with other metric names")
        rules = _as_list(rule)
        if rules and len(rules) not in (1, len(self.save_best)):
            raise ConfigError(
                f'rule must be one value or one per save_best name ({len(self.save_best)}), '
                f'got {rule!r}'
            )
        for value in rules:
            if value not in RULES:
                raise ConfigError(f"rule must be 'greater' or 'less', got {value!r}")
        self.rules = rules * len(self.save_best) if len(rules) == 1 else rules
        if self.save_best and not self.rules and 'auto' not in self.save_best:
            self.rules = [infer_rule(k, self.greater_keys, self.less_keys) for k in self.save_best]
        self.keep_ckpt_ids: list[int] = []
        self.best_scores: dict[str, float] = {}
        self.best_paths: dict[str, str] = {}
        self.last_ckpt: str | None = None

    # -- setup -------------------------------------------------------------------------------

    def before_train(self, runner) -> None:
        if self._out_dir_arg is None:
            self.out_dir = runner.work_dir
        else:
            self.out_dir = os.path.join(self._out_dir_arg, os.path.basename(runner.work_dir))
        if is_main_process():  # only rank 0 touches the files; every rank keeps the records
            os.makedirs(self.out_dir, exist_ok=True)
            removed = remove_stale_temporaries(self.out_dir)
            if removed:
                runner.logger.warning(f'removed unfinished checkpoint writes: {removed}')
        hub = runner.message_hub
        self.last_ckpt = hub.get_info('last_ckpt')
        self.keep_ckpt_ids = [int(i) for i in hub.get_info('keep_ckpt_ids', [])]
        if self.max_keep_ckpts > 0:
            while len(self.keep_ckpt_ids) > self.max_keep_ckpts:
                self._remove(self.keep_ckpt_ids.pop(0))
        for key in self.save_best:
            suffix = '' if len(self.save_best) == 1 else f'_{key}'
            score = hub.get_info(f'best_score{suffix}')
            if score is not None:
                self.best_scores[key] = score
                self.best_paths[key] = hub.get_info(f'best_ckpt{suffix}')

    # -- regular checkpoints -----------------------------------------------------------------

    def after_train_epoch(self, runner) -> None:
        if not self.by_epoch:
            return
        if self.every_n_epochs(runner, self.interval, self.save_begin) or (
            self.save_last and self.is_last_train_epoch(runner)
        ):
            self._save_after_validation(runner, runner.epoch + 1)

    def after_train_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        if self.by_epoch:
            return
        if self.every_n_train_iters(runner, self.interval, self.save_begin) or (
            self.save_last and self.is_last_train_iter(runner)
        ):
            self._save_after_validation(runner, runner.iter + 1)

    def _save_after_validation(self, runner, step: int) -> None:
        """Save now, or, when a validation follows this step, once it and its hooks are done.

        A checkpoint written after the validation holds what the validation changed (the best
        score, a plateau scheduler's and early stopping's state), so a run resumed from it
        continues exactly like the uninterrupted one. (The reference saves before validating.)
        """
        loop = runner.train_loop
        if loop.validation_follows():
            # The counters move on before validation; record the ones of this step now.
            if self.by_epoch:
                meta = {'epoch': runner.epoch + 1, 'iter': runner.iter}
            else:
                meta = {'epoch': runner.epoch, 'iter': runner.iter + 1}
            loop.after_validation(lambda: self._save_regular(runner, step, meta))
        else:
            self._save_regular(runner, step)

    def _path(self, step: int) -> str:
        return os.path.join(self.out_dir, self.filename_tmpl.format(step))

    def _remove(self, step: int) -> None:
        if is_main_process():
            with contextlib.suppress(FileNotFoundError):
                os.remove(self._path(step))

    def _save_regular(self, runner, step: int, meta: dict | None = None) -> None:
        path = self._path(step)
        ids = [i for i in self.keep_ckpt_ids if i != step] + [step]
        dropped: list[int] = []
        if self.max_keep_ckpts > 0 and len(ids) > self.max_keep_ckpts:
            dropped, ids = ids[: -self.max_keep_ckpts], ids[-self.max_keep_ckpts :]
        hub = runner.message_hub
        hub.update_info('last_ckpt', path)
        hub.update_info('keep_ckpt_ids', ids)
        self._write(
            runner, os.path.basename(path), self.save_optimizer, self.save_param_scheduler, meta
        )
        if is_main_process():
            write_last_checkpoint(runner.work_dir, path)
        self.keep_ckpt_ids, self.last_ckpt = ids, path
        for old in dropped:
            self._remove(old)

    def _write(
        self, runner, filename: str, optimizer: bool, schedulers: bool, meta: dict | None = None
    ) -> None:
        runner.save_checkpoint(
            self.out_dir,
            filename,
            save_optimizer=optimizer,
            save_param_scheduler=schedulers,
            meta=meta,
            by_epoch=self.by_epoch,
        )

    # -- best checkpoint ---------------------------------------------------------------------

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        if not self.save_best or not metrics:
            return
        if self.save_best == ['auto']:
            key = next(iter(metrics))
            self.save_best = [key]
            if 'auto' in self.best_scores:  # the record restored on resume
                self.best_scores[key] = self.best_scores.pop('auto')
                self.best_paths[key] = self.best_paths.pop('auto')
            if not self.rules:
                self.rules = [infer_rule(self.save_best[0], self.greater_keys, self.less_keys)]
        step = runner.epoch if self.by_epoch else runner.iter
        unit = 'epoch' if self.by_epoch else 'iter'
        for key, rule in zip(self.save_best, self.rules):
            if key not in metrics:
                raise ConfigError(
                    f'{key!r} is not a metric of this run.{suggestion_text(key, metrics)} '
                    f'Metrics: {", ".join(metrics)}',
                    'default_hooks.checkpoint.save_best',
                )
            value = float(metrics[key])
            best = self.best_scores.get(key)
            if best is not None and not (value > best if rule == 'greater' else value < best):
                continue
            previous = self.best_paths.get(key)
            filename = f'best_{key.replace("/", "_")}_{unit}_{step}.pth'
            path = os.path.join(self.out_dir, filename)
            suffix = '' if len(self.save_best) == 1 else f'_{key}'
            runner.message_hub.update_info(f'best_score{suffix}', value)
            runner.message_hub.update_info(f'best_ckpt{suffix}', path)
            self.best_scores[key], self.best_paths[key] = value, path
            self._write(runner, filename, optimizer=False, schedulers=False)
            if previous and previous != path and is_main_process():
                with contextlib.suppress(FileNotFoundError):
                    os.remove(previous)
            runner.logger.info(f'the best {key} so far, {value:.4f}, is saved as {filename}')

    # -- published copies --------------------------------------------------------------------

    def after_train(self, runner) -> None:
        if self.published_keys is None or not is_main_process():
            return
        paths = [self.last_ckpt] if self.save_last and self.last_ckpt else []
        paths += list(self.best_paths.values())
        for path in paths:
            published = self.publish(path, self.published_keys)
            runner.logger.info(f'published {published}')

    @staticmethod
    def publish(path: str, keys: Sequence[str]) -> str:
        """Copy ``path`` keeping only ``keys``, as ``<name>-<sha256[:8]>.pth``."""
        checkpoint = load_checkpoint_file(path)
        missing = [k for k in keys if k not in checkpoint]
        if missing:
            raise ConfigError(
                f'published_keys {missing} are not in the checkpoint (it has {sorted(checkpoint)})',
                'default_hooks.checkpoint.published_keys',
            )
        kept = {k: checkpoint[k] for k in keys}
        buffer = io.BytesIO()
        torch.save(kept, buffer)
        data = buffer.getvalue()
        target = f'{os.path.splitext(path)[0]}-{hashlib.sha256(data).hexdigest()[:8]}.pth'
        save_bytes_file(data, target)
        return target
