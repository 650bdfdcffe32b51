"""Hooks: ``Hook``, ``Priority``, the default hooks and the optional ones (one module each)."""

from .hook import STAGES, Hook, triggered_stages
from .priority import Priority, get_priority

from .runtime_info_hook import RuntimeInfoHook  # isort: skip
from .checkpoint_hook import CheckpointHook
from .early_stopping_hook import EarlyStoppingHook
from .ema_hook import EMAHook
from .empty_cache_hook import EmptyCacheHook
from .iter_timer_hook import IterTimerHook
from .logger_hook import LoggerHook
from .naive_visualization_hook import NaiveVisualizationHook
from .param_scheduler_hook import ParamSchedulerHook
from .sampler_seed_hook import DistSamplerSeedHook
from .sync_buffers_hook import SyncBuffersHook

__all__ = [
    'STAGES',
    'CheckpointHook',
    'DistSamplerSeedHook',
    'EMAHook',
    'EarlyStoppingHook',
    'EmptyCacheHook',
    'Hook',
    'IterTimerHook',
    'LoggerHook',
    'NaiveVisualizationHook',
    'ParamSchedulerHook',
    'Priority',
    'RuntimeInfoHook',
    'SyncBuffersHook',
    'get_priority',
    'triggered_stages',
]
