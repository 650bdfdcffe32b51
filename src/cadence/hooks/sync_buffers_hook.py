"""``SyncBuffersHook``: average the model's buffers (BatchNorm running statistics) across
ranks, so validation and checkpoints see statistics of the whole data, not of rank 0's share."""

from __future__ import annotations

from ..dist import all_reduce_params, get_world_size
from ..registry import HOOKS
from .hook import Hook


@HOOKS.register_module()
class SyncBuffersHook(Hook):
    """After every training epoch, and before a validation that does not directly follow one
    (iteration-based training), replace every buffer by its mean over the ranks.

    Integer buffers (``num_batches_tracked``) are averaged with floor division; they count the
    same iterations on every rank. Does nothing in a single process.
    """

    priority = 'NORMAL'

    def __init__(self) -> None:
        self.called_in_train = False

    @staticmethod
    def _sync(runner) -> None:
        if get_world_size() > 1:
            all_reduce_params(runner.model.buffers(), op='mean')

    def after_train_epoch(self, runner) -> None:
        self._sync(runner)
        self.called_in_train = True

    def before_val_epoch(self, runner) -> None:
        if self.called_in_train:
            self.called_in_train = False
        else:
            self._sync(runner)
