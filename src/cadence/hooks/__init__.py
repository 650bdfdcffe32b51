"""Hooks: ``Hook``, ``Priority``, the default hooks and the optional ones (one module each)."""

from .hook import STAGES, Hook, triggered_stages
from .priority import Priority, get_priority

from .runtime_info_hook import RuntimeInfoHook  # isort: skip
from .checkpoint_hook import CheckpointHook
from .early_stopping_hook import EarlyStoppingHook
from .ema_hook import EMAHook
from .iter_timer_hook import IterTimerHook
from .logger_hook import LoggerHook
from .param_scheduler_hook import ParamSchedulerHook
from .sampler_seed_hook import DistSamplerSeedHook

__all__ = [
    'STAGES',
    'CheckpointHook',
    'DistSamplerSeedHook',
    'EMAHook',
    'EarlyStoppingHook',
    'Hook',
    'IterTimerHook',
    'LoggerHook',
    'ParamSchedulerHook',
    'Priority',
    'RuntimeInfoHook',
    'get_priority',
    'triggered_stages',
]
