"""``Hook``: the base class of everything that runs at fixed points of a Runner's life.

A hook overrides the stages it cares about. The Runner dispatches a stage only to the hooks
that override it (or the mode-generic helper behind it), so a stage a hook does not use costs
nothing. The stage methods of this base class forward to four mode-generic helpers
(``_before_epoch``, ``_after_epoch``, ``_before_iter``, ``_after_iter``), which lets one method
serve training, validation and testing alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: Every stage, in the order of the hook-execution-order table.
STAGES: tuple[str, ...] = (
    'before_run',
    'after_load_checkpoint',
    'before_train',
    'before_train_epoch',
    'before_train_iter',
    'after_train_iter',
    'after_train_epoch',
    'before_val',
    'before_val_epoch',
    'before_val_iter',
    'after_val_iter',
    'after_val_epoch',
    'after_val',
    'before_save_checkpoint',
    'after_train',
    'before_test',
    'before_test_epoch',
    'before_test_iter',
    'after_test_iter',
    'after_test_epoch',
    'after_test',
    'after_run',
)

#: The mode-generic helper each stage forwards to (if any).
HELPER_OF_STAGE: dict[str, str] = {
    f'{when}_{mode}_{unit}': f'_{when}_{unit}'
    for when in ('before', 'after')
    for mode in ('train', 'val', 'test')
    for unit in ('epoch', 'iter')
}


class Hook:
    """Base class of hooks. Subclasses override stages; ``priority`` orders them (see
    :class:`~cadence.hooks.Priority`)."""

    priority: Any = 'NORMAL'
    stages = STAGES

    # -- whole run ---------------------------------------------------------------------------

    def before_run(self, runner) -> None:
        """Before anything runs (after the components are built)."""

    def after_run(self, runner) -> None:
        """After everything (``train()``, ``val()`` or ``test()``) has finished."""

    def before_train(self, runner) -> None:
        """Once before the training loop."""

    def after_train(self, runner) -> None:
        """Once after the training loop."""

    def before_val(self, runner) -> None:
        """Before each validation run."""

    def after_val(self, runner) -> None:
        """After each validation run."""

    def before_test(self, runner) -> None:
        """Before testing."""

    def after_test(self, runner) -> None:
        """After testing."""

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """With the checkpoint dict about to be written; hooks may add keys to it."""

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """With a checkpoint dict just loaded (for resume or ``load_from``)."""

    # -- epochs ------------------------------------------------------------------------------

    def before_train_epoch(self, runner) -> None:
        self._before_epoch(runner, mode='train')

    def before_val_epoch(self, runner) -> None:
        self._before_epoch(runner, mode='val')

    def before_test_epoch(self, runner) -> None:
        self._before_epoch(runner, mode='test')

    def after_train_epoch(self, runner) -> None:
        self._after_epoch(runner, mode='train')

    def after_val_epoch(self, runner, metrics: dict[str, float] | None = None) -> None:
        self._after_epoch(runner, mode='val')

    def after_test_epoch(self, runner, metrics: dict[str, float] | None = None) -> None:
        self._after_epoch(runner, mode='test')

    # -- iterations --------------------------------------------------------------------------

    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        self._before_iter(runner, batch_idx=batch_idx, data_batch=data_batch, mode='train')

    def before_val_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        self._before_iter(runner, batch_idx=batch_idx, data_batch=data_batch, mode='val')

    def before_test_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        self._before_iter(runner, batch_idx=batch_idx, data_batch=data_batch, mode='test')

    def after_train_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        self._after_iter(runner, batch_idx, data_batch, outputs, mode='train')

    def after_val_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        self._after_iter(runner, batch_idx, data_batch, outputs, mode='val')

    def after_test_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        self._after_iter(runner, batch_idx, data_batch, outputs, mode='test')

    # -- mode-generic helpers ----------------------------------------------------------------

    def _before_epoch(self, runner, mode: str = 'train') -> None:
        """Before each epoch of ``mode`` (``'train'``, ``'val'`` or ``'test'``)."""

    def _after_epoch(self, runner, mode: str = 'train') -> None:
        """After each epoch of ``mode``."""

    def _before_iter(
        self, runner, batch_idx: int, data_batch: Any = None, mode: str = 'train'
    ) -> None:
        """Before each iteration of ``mode``."""

    def _after_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Any = None,
        outputs: Any = None,
        mode: str = 'train',
    ) -> None:
        """After each iteration of ``mode``."""

    # -- predicates --------------------------------------------------------------------------

    def every_n_epochs(self, runner, n: int, start: int = 0) -> bool:
        """Whether the epoch that just ran is the n-th since ``start`` (1-based count)."""
        done = runner.epoch + 1 - start
        return n > 0 and done >= 0 and done % n == 0

    def every_n_inner_iters(self, batch_idx: int, n: int) -> bool:
        """Whether ``batch_idx`` (0-based, within the epoch) closes a group of ``n``."""
        return n > 0 and (batch_idx + 1) % n == 0

    def every_n_train_iters(self, runner, n: int, start: int = 0) -> bool:
        """Whether the iteration that just ran is the n-th since ``start`` (1-based count)."""
        done = runner.iter + 1 - start
        return n > 0 and done >= 0 and done % n == 0

    def end_of_epoch(self, dataloader: Sequence | Any, batch_idx: int) -> bool:
        """Whether ``batch_idx`` is the last batch of ``dataloader``."""
        return batch_idx + 1 == len(dataloader)

    def is_last_train_epoch(self, runner) -> bool:
        """Whether the running epoch is the last one."""
        return runner.epoch + 1 == runner.max_epochs

    def is_last_train_iter(self, runner) -> bool:
        """Whether the running iteration is the last one."""
        return runner.iter + 1 == runner.max_iters

    # -- optional state ----------------------------------------------------------------------
    # A hook whose behaviour depends on what happened earlier in the run may define
    # ``state_dict()`` / ``load_state_dict(state)`` (plain data only); the Runner saves it in
    # checkpoints and restores it on resume.


def triggered_stages(hook: Hook) -> list[str]:
    """The stages ``hook`` does something in: those whose method, or whose mode-generic helper,
    its class overrides."""
    cls = type(hook)
    stages = []
    for stage in STAGES:
        method = getattr(cls, stage, None)
        if method is not getattr(Hook, stage):
            stages.append(stage)
            continue
        helper = HELPER_OF_STAGE.get(stage)
        if helper is not None and getattr(cls, helper, None) is not getattr(Hook, helper):
            stages.append(stage)
    return stages


def misspelled_stages(hook: Hook) -> list[tuple[str, list[str]]]:
    """Public methods named like a stage that are not one (``before_train_iteration``), with
    the stages they probably meant; such a method would silently never run."""
    from ..errors import did_you_mean

    found = []
    for name in dir(type(hook)):
        if name.startswith(('before_', 'after_')) and name not in STAGES:
            found.append((name, did_you_mean(name, STAGES)))
    return found
