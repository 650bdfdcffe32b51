"""Hooks: ``Hook``, ``Priority`` and the default hooks (one module each)."""

from .hook import STAGES, Hook, triggered_stages
from .priority import Priority, get_priority

from .runtime_info_hook import RuntimeInfoHook  # isort: skip
from .checkpoint_hook import CheckpointHook
from .iter_timer_hook import IterTimerHook
from .logger_hook import LoggerHook
from .param_scheduler_hook import ParamSchedulerHook
from .sampler_seed_hook import DistSamplerSeedHook
from .sync_buffers_hook import SyncBuffersHook

__all__ = [
    'STAGES',
    'CheckpointHook',
    'DistSamplerSeedHook',
    'Hook',
    'IterTimerHook',
    'LoggerHook',
    'ParamSchedulerHook',
    'Priority',
    'RuntimeInfoHook',
    'SyncBuffersHook',
    'get_priority',
    'triggered_stages',
]
