"""``DistSamplerSeedHook``: a new shuffling order every epoch."""

from __future__ import annotations

from ..dataset import index_sampler
from ..registry import HOOKS
from .hook import Hook


@HOOKS.register_module()
class DistSamplerSeedHook(Hook):
    """Calls ``set_epoch(epoch)`` on the training sampler before each epoch (samplers derive
    their order from ``seed + epoch``)."""

    priority = 'NORMAL'

    def before_train_epoch(self, runner) -> None:
        sampler = index_sampler(runner.train_dataloader)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(runner.epoch)
