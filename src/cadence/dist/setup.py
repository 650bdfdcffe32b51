"""Process-group setup for ``launcher='pytorch'``: one process per device, started by
``torchrun``, which describes the job in environment variables.

``env_cfg.dist_cfg`` chooses the backend (``backend='nccl'`` on GPUs, ``'gloo'`` on CPUs) and
the collective timeout. The reference configs ask for ``'nccl'`` everywhere; on a machine
without CUDA that backend cannot work, so Cadence uses ``'gloo'`` there instead of crashing.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from typing import Any

import torch
import torch.distributed as torch_dist

from ..errors import ConfigError, suggestion_text
from .utils import is_distributed

LAUNCHERS = ('none', 'pytorch')
#: What ``torchrun`` (and ``python -m torch.distributed.launch --use-env``) sets per process.
TORCHRUN_ENV = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT')
DIST_CFG_KEYS = ('backend', 'init_backend', 'timeout')
CUDA_BACKENDS = ('nccl',)


def known_backends() -> list[str]:
    """Backend names this torch build knows (``gloo``, ``nccl``, ``mpi``, ...)."""
    names = getattr(torch_dist.Backend, 'backend_list', ['gloo', 'nccl', 'mpi'])
    return [name for name in names if name not in ('undefined', 'fake')]


def resolve_backend(requested: str | None) -> str:
    """The backend to use for ``env_cfg.dist_cfg.backend=requested``.

    ``None`` means ``'nccl'`` with CUDA and ``'gloo'`` without; ``'nccl'`` without CUDA also
    becomes ``'gloo'`` (the Runner logs a warning), so a config written for GPUs runs on CPUs.
    """
    if requested is None:
        return 'nccl' if torch.cuda.is_available() else 'gloo'
    _check_backend(requested)
    name = requested.lower()
    if name in CUDA_BACKENDS and not torch.cuda.is_available():
        return 'gloo'
    return name


def _check_backend(backend: Any) -> None:
    if not isinstance(backend, str):
        raise ConfigError(
            f"must be a backend name such as 'nccl' or 'gloo', got {backend!r}",
            'env_cfg.dist_cfg.backend',
        )
    backends = known_backends()
    if backend.lower() not in backends:
        raise ConfigError(
            f'unknown backend {backend!r}.{suggestion_text(backend, backends)} '
            f'Available: {", ".join(backends)}',
            'env_cfg.dist_cfg.backend',
        )


def check_dist_cfg(cfg: Mapping[str, Any]) -> None:
    """Unknown keys and bad values of ``env_cfg.dist_cfg``, before anything starts."""
    for key in cfg:
        if key not in DIST_CFG_KEYS:
            raise ConfigError(
                f'unknown key {key!r}.{suggestion_text(key, DIST_CFG_KEYS)} '
                f'Accepted: {", ".join(DIST_CFG_KEYS)}',
                f'env_cfg.dist_cfg.{key}',
            )
    if cfg.get('backend') is not None:
        _check_backend(cfg['backend'])
    init_backend = cfg.get('init_backend', 'torch')
    if init_backend != 'torch':
        raise ConfigError(
            f"only 'torch' (torch.distributed) is supported, got {init_backend!r}",
            'env_cfg.dist_cfg.init_backend',
        )
    timeout = cfg.get('timeout')
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        raise ConfigError(
            f'must be a positive number of seconds, got {timeout!r}', 'env_cfg.dist_cfg.timeout'
        )


def check_launcher(launcher: Any) -> None:
    """``'none'`` or ``'pytorch'``."""
    if launcher not in LAUNCHERS:
        raise ConfigError(
            f'unknown launcher {launcher!r}.{suggestion_text(str(launcher), LAUNCHERS)} '
            f'Use one of {", ".join(LAUNCHERS)} (slurm and mpi jobs can start torchrun)',
            'launcher',
        )


def _local_rank() -> int:
    return int(os.environ['LOCAL_RANK'])


def init_dist(
    launcher: str,
    backend: str | None = None,
    init_backend: str = 'torch',
    timeout: float | None = None,
) -> None:
    """Set up the default process group for ``launcher``.

    ``'none'`` does nothing. ``'pytorch'`` reads ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
    ``MASTER_ADDR`` and ``MASTER_PORT`` (set by ``torchrun``), makes GPU ``LOCAL_RANK`` the
    current device when CUDA is available and initialises ``torch.distributed``. A process group that already
    exists (a script set it up) is used as it is.

    Args:
        launcher: ``'none'`` or ``'pytorch'``.
        backend: ``'nccl'``, ``'gloo'``, ... (see :func:`resolve_backend`).
        init_backend: Only ``'torch'``, the reference's default.
        timeout: Seconds a collective may wait for the other ranks (torch's default if unset).
    """
    check_launcher(launcher)
    check_dist_cfg({'backend': backend, 'init_backend': init_backend, 'timeout': timeout})
    if launcher == 'none' or is_distributed():
        return
    missing = [name for name in TORCHRUN_ENV if name not in os.environ]
    if missing:
        raise ConfigError(
            f"launcher='pytorch' runs one process per device, started by torchrun, which "
            f'describes the job in {", ".join(TORCHRUN_ENV)}; not set here: '
            f'{", ".join(missing)}. Start the run with '
            f"'torchrun --nproc_per_node=N -m cadence train CONFIG --launcher pytorch'",
            'launcher',
        )
    name = resolve_backend(backend)
    if torch.cuda.is_available():  # the model goes to the current device: this process's GPU
        local_rank, count = _local_rank(), torch.cuda.device_count()
        if local_rank >= count:
            raise ConfigError(
                f'LOCAL_RANK is {local_rank} but this machine has {count} GPU(s): start at '
                f'most {count} processes per machine (torchrun --nproc_per_node={count})',
                'launcher',
            )
        torch.cuda.set_device(local_rank)
    kwargs: dict[str, Any] = {}
    if timeout is not None:
        kwargs['timeout'] = datetime.timedelta(seconds=timeout)
    torch_dist.init_process_group(backend=name, **kwargs)


def get_backend() -> str | None:
    """The backend of the default process group (``None`` without one)."""
    return str(torch_dist.get_backend()) if is_distributed() else None


_cpu_groups: dict[int, Any] = {}


def cpu_group() -> Any:
    """A process group for small CPU tensors (control flags): the default group when its
    backend is gloo, else a gloo group over every rank, created on first use (every rank
    must call this at the same point, like any collective)."""
    if not is_distributed() or get_backend() == 'gloo':
        return None
    world = id(torch_dist.group.WORLD)  # a new default group (a later run) needs a new one
    if world not in _cpu_groups:
        _cpu_groups.clear()
        _cpu_groups[world] = torch_dist.new_group(backend='gloo')
    return _cpu_groups[world]
