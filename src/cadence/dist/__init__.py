"""Thin helpers over ``torch.distributed``: rank, world size, barriers and small broadcasts.

Every helper is correct in a single process (rank 0 of 1) without a process group, so the rest
of Cadence calls them unconditionally. Process-group setup and model wrapping for real
multi-process runs live apart (:func:`init_dist`).
"""

from .utils import (
    all_gather_object,
    barrier,
    broadcast_object,
    collect_results,
    get_dist_info,
    get_rank,
    get_world_size,
    init_dist,
    is_distributed,
    is_main_process,
    master_only,
    sync_random_seed,
)

__all__ = [
    'all_gather_object',
    'barrier',
    'broadcast_object',
    'collect_results',
    'get_dist_info',
    'get_rank',
    'get_world_size',
    'init_dist',
    'is_distributed',
    'is_main_process',
    'master_only',
    'sync_random_seed',
]
