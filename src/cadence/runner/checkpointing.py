"""Saving, loading and resuming checkpoints, and stopping on a signal (the Runner's side).

Kept apart from :mod:`.runner` so each module stays small; :class:`~.runner.Runner` inherits
these methods.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..dist import is_main_process
from ..errors import ConfigError
from ..model import get_model
from .checkpoint import (
    load_checkpoint_file,
    load_model_state,
    save_checkpoint_file,
    write_last_checkpoint,
)
from .checkpoint import revise_keys as revise_state_keys
from .distributed import agreed_latest_checkpoint
from .interrupt import TrainingInterrupted
from .training_state import build_checkpoint, gather_rank_states, restore_checkpoint


class CheckpointingMixin:
    """Checkpoint methods of the Runner (see ``docs/checkpoints.md``)."""

    def check_losses(self) -> None:
        """Stop with a clear error if a loss logged since the last check is not finite.

        Called at logging intervals, before checkpoints and at the end of training; it reads
        the losses the message hub already holds, so iterations in between pay nothing."""
        loop = self.built_train_loop
        if loop is None or not self.optim_wrapper_built:
            return
        last = loop.completed_iters - 1
        if last <= self._losses_checked_through:
            return
        from ..optim import check_logged_losses

        check_logged_losses(
            self.message_hub, self._losses_checked_through + 1, last, self.optim_wrapper.get_lr()
        )
        self._losses_checked_through = last

    def stop_on_interrupt(self) -> None:
        """Save where training stands (called by the loop after a SIGINT/SIGTERM) and stop."""
        signum = self.interrupt.signum
        state = self.train_loop.state_dict()
        mid_epoch = state['batches'] > 0 or not self.train_by_epoch
        filename = f'iter_{state["iter"]}.pth' if mid_epoch else f'epoch_{state["epoch"]}.pth'
        out_dir = self._work_dir
        for hook in self.hooks:
            if type(hook).__name__ == 'CheckpointHook' and getattr(hook, 'out_dir', None):
                out_dir = hook.out_dir
        path = self.save_checkpoint(
            out_dir, filename, meta={'epoch': state['epoch'], 'iter': state['iter']}
        )
        if path is not None:  # rank 0
            write_last_checkpoint(self._work_dir, path)
            self.logger.info(f'saved {path}; resume with --resume')
        raise TrainingInterrupted(signum, path)

    # -- checkpoints -------------------------------------------------------------------------

    def save_checkpoint(
        self,
        out_dir: str,
        filename: str,
        file_client_args: dict | None = None,
        save_optimizer: bool = True,
        save_param_scheduler: bool = True,
        meta: dict | None = None,
        by_epoch: bool = True,
        backend_args: dict | None = None,
    ) -> str | None:
        """Write a checkpoint to ``out_dir/filename`` atomically (rank 0 only); returns the
        path (``None`` on the other ranks). Losses logged since the last check are checked
        first, so a run whose loss went non-finite never saves poisoned weights.

        In a multi-process run every rank must call this (as ``CheckpointHook`` does): what
        differs between ranks (random generators, BatchNorm statistics) is gathered into rank
        0's file, so a resumed run continues exactly on every rank."""
        if file_client_args is not None or backend_args is not None:
            raise ConfigError('remote checkpoint storage (backend_args) is not supported')
        rank_states = gather_rank_states(self) if self.built_train_loop is not None else None
        if not is_main_process():
            return None
        self.check_losses()
        meta = dict(meta or {})
        if by_epoch:
            meta.setdefault('epoch', self.epoch + 1)
            meta.setdefault('iter', self.iter)
        else:
            meta.setdefault('epoch', self.epoch)
            meta.setdefault('iter', self.iter + 1)
        checkpoint = build_checkpoint(self, meta, save_optimizer, save_param_scheduler, rank_states)
        self.call_hook('before_save_checkpoint', checkpoint=checkpoint)
        path = os.path.join(out_dir, filename)
        save_checkpoint_file(checkpoint, path)
        return path

    def load_checkpoint(
        self,
        filename: str,
        map_location: Any = 'cpu',
        strict: bool = False,
        revise_keys: Sequence[tuple[str, str]] = ((r'^module\.', ''),),
    ) -> dict[str, Any]:
        """Load model weights only (``load_from``)."""
        checkpoint = load_checkpoint_file(filename, map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        state = checkpoint.get('state_dict', checkpoint)
        load_model_state(get_model(self.model), revise_state_keys(state, revise_keys), strict)
        self.logger.info(f'loaded weights from {filename}')
        return checkpoint

    def resume(
        self,
        filename: str,
        resume_optimizer: bool = True,
        resume_param_scheduler: bool = True,
        map_location: Any = 'default',
    ) -> None:
        """Continue training from a checkpoint: weights, optimizer, schedules, counters, data
        position, random generators and hook state."""
        self._resume_from(
            load_checkpoint_file(filename), filename, resume_optimizer, resume_param_scheduler
        )

    def _resume_from(
        self,
        checkpoint: dict[str, Any],
        filename: str,
        resume_optimizer: bool = True,
        resume_param_scheduler: bool = True,
    ) -> None:
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        restore_checkpoint(self, checkpoint, resume_optimizer, resume_param_scheduler)
        self._losses_checked_through = self.train_loop.completed_iters - 1
        self.logger.info(f'resumed from {filename} at epoch {self.epoch}, iter {self.iter}')

    def load_or_resume(self) -> None:
        """Apply ``resume`` / ``load_from`` once: resume from the given checkpoint or (with no
        path) from the latest good one in the work dir, or load weights only."""
        if self._has_loaded:
            return
        self._has_loaded = True
        training = self.built_train_loop is not None
        if self._resume and training:
            if self._load_from is None:
                found = agreed_latest_checkpoint(self._work_dir)
                if found is None:
                    self.logger.info(
                        f'no checkpoint to resume from in {self._work_dir}; starting from scratch'
                    )
                    return
                self._resume_from(found[1], found[0])
            else:
                self.resume(self._load_from)
        elif self._load_from is not None:
            self.load_checkpoint(self._load_from)
        elif self._resume:
            found = agreed_latest_checkpoint(self._work_dir)
            if found is not None:
                self.load_checkpoint(found[0])
