"""``env_cfg``: process-level settings applied before anything is built."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import torch

from ..dist.setup import check_dist_cfg
from ..errors import ConfigError
from .config_check import check_keys

ENV_KEYS = ('cudnn_benchmark', 'mp_cfg', 'dist_cfg', 'resource_limit')
MP_KEYS = ('mp_start_method', 'opencv_num_threads')


def _check(cfg: Any) -> Mapping[str, Any]:
    if not isinstance(cfg, Mapping):
        raise ConfigError(f'must be a dict, got {cfg!r}', 'env_cfg')
    check_keys(cfg, ENV_KEYS, 'env_cfg')
    check_keys(cfg.get('mp_cfg') or {}, MP_KEYS, 'env_cfg.mp_cfg')
    dist_cfg = cfg.get('dist_cfg') or {}
    if not isinstance(dist_cfg, Mapping):
        raise ConfigError(
            f"must be a dict such as dict(backend='gloo'), got {dist_cfg!r}", 'env_cfg.dist_cfg'
        )
    check_dist_cfg(dist_cfg)
    return cfg


def setup_env(cfg: Mapping[str, Any]) -> None:
    """Apply ``cudnn_benchmark``, ``mp_cfg`` and ``resource_limit``."""
    cfg = _check(cfg)
    if cfg.get('cudnn_benchmark'):
        torch.backends.cudnn.benchmark = True
    mp_cfg = cfg.get('mp_cfg') or {}
    method = mp_cfg.get('mp_start_method')
    if method is not None:
        import torch.multiprocessing as mp

        if mp.get_start_method(allow_none=True) != method:
            mp.set_start_method(method, force=True)
    threads = mp_cfg.get('opencv_num_threads')
    if threads is not None:
        with contextlib.suppress(ImportError):
            import cv2

            cv2.setNumThreads(threads)
    limit = cfg.get('resource_limit', 4096)
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = min(max(limit, soft), hard) if hard != resource.RLIM_INFINITY else max(limit, soft)
        if wanted != soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def dist_cfg(cfg: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``dist_cfg`` part (process-group options)."""
    return dict((cfg or {}).get('dist_cfg') or {})
