"""Thin helpers over ``torch.distributed``: rank, world size, collectives, process-group setup.

Every helper is correct in a single process (rank 0 of 1) without a process group, so the rest
of Cadence calls them unconditionally. :func:`init_dist` sets up multi-process runs
(``launcher='pytorch'`` under ``torchrun``).
"""

from .collectives import REDUCE_OPS, all_reduce, all_reduce_params, broadcast
from .setup import LAUNCHERS, cpu_group, get_backend, init_dist, resolve_backend
from .utils import (
    all_gather_object,
    barrier,
    broadcast_object,
    collect_results,
    get_dist_info,
    get_rank,
    get_world_size,
    is_distributed,
    is_main_process,
    master_only,
    sync_random_seed,
)

__all__ = [
    'LAUNCHERS',
    'REDUCE_OPS',
    'all_gather_object',
    'all_reduce',
    'all_reduce_params',
    'barrier',
    'broadcast',
    'broadcast_object',
    'collect_results',
    'cpu_group',
    'get_backend',
    'get_dist_info',
    'get_rank',
    'get_world_size',
    'init_dist',
    'is_distributed',
    'is_main_process',
    'master_only',
    'resolve_backend',
    'sync_random_seed',
]
