"""The Runner's distributed seams: wrapping the model for multi-process training, keeping
every rank's weights identical after initialisation, and agreeing on where to resume.

Config keys (top level, as in the reference): ``model_wrapper_cfg`` (the wrapper to build,
default ``MMDistributedDataParallel``), ``find_unused_parameters`` and ``sync_bn``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ..dist import (
    broadcast,
    broadcast_object,
    get_backend,
    get_rank,
    get_world_size,
    is_main_process,
)
from ..errors import ConfigError
from ..model import (
    MMDistributedDataParallel,
    convert_sync_batchnorm,
    is_model_wrapper,
    revert_sync_batchnorm,
)
from ..registry import MODEL_WRAPPERS
from .checkpoint import CheckpointError, find_latest_checkpoint, load_checkpoint_file

STEP_METHODS = ('train_step', 'val_step', 'test_step')


def _device_ids(model: nn.Module) -> list[int] | None:
    """``[current GPU]`` for a model on CUDA (DDP wants it), ``None`` on the CPU."""
    device = next((p.device for p in model.parameters()), torch.device('cpu'))
    return [torch.cuda.current_device()] if device.type == 'cuda' else None


def wrap_model(model: nn.Module, cfg: Mapping[str, Any] | None, distributed: bool) -> nn.Module:
    """The model as the Runner trains it.

    In a single process ``SyncBatchNorm`` layers become plain BatchNorm (they need a process
    group). Distributed, ``sync_bn='torch'`` converts BatchNorm to ``SyncBatchNorm`` and the
    model is wrapped in ``model_wrapper_cfg`` (``MMDistributedDataParallel`` with
    ``broadcast_buffers=False`` and ``find_unused_parameters`` from the config by default).
    A model that is already wrapped is returned as it is.
    """
    cfg = cfg or {}
    if is_model_wrapper(model):
        return model
    if not distributed:
        return revert_sync_batchnorm(model)
    sync_bn = cfg.get('sync_bn')
    if sync_bn is not None:
        model = convert_sync_batchnorm(model, sync_bn)
    find_unused = cfg.get('find_unused_parameters', False)
    if not isinstance(find_unused, bool):
        raise ConfigError(f'must be True or False, got {find_unused!r}', 'find_unused_parameters')
    wrapper_cfg = cfg.get('model_wrapper_cfg')
    if wrapper_cfg is None:
        return MMDistributedDataParallel(
            model,
            device_ids=_device_ids(model),
            broadcast_buffers=False,
            find_unused_parameters=find_unused,
        )
    if not isinstance(wrapper_cfg, Mapping):
        raise ConfigError(
            f"must be a dict such as dict(type='MMDistributedDataParallel', "
            f'find_unused_parameters=True), got {wrapper_cfg!r}',
            'model_wrapper_cfg',
        )
    wrapper_cfg = dict(wrapper_cfg)
    wrapper_cfg.setdefault('type', 'MMDistributedDataParallel')
    default_args: dict[str, Any] = {'module': model}
    if _is_ddp_type(wrapper_cfg['type']):
        default_args['device_ids'] = _device_ids(model)
        if 'find_unused_parameters' in cfg:
            wrapper_cfg.setdefault('find_unused_parameters', find_unused)
    wrapped = MODEL_WRAPPERS.build(
        wrapper_cfg, default_args=default_args, key_path='model_wrapper_cfg'
    )
    missing = [name for name in STEP_METHODS if not callable(getattr(wrapped, name, None))]
    if missing:
        raise ConfigError(
            f'{type(wrapped).__name__} has no {", ".join(missing)}: the loops call them on the '
            f"wrapper. Use type='MMDistributedDataParallel' or a wrapper that defines them",
            'model_wrapper_cfg.type',
        )
    return wrapped


def _is_ddp_type(type_name: Any) -> bool:
    from torch.nn.parallel import DistributedDataParallel

    cls = type_name
    if isinstance(type_name, str):
        cls = MODEL_WRAPPERS.get(type_name)
    return isinstance(cls, type) and issubclass(cls, DistributedDataParallel)


def log_distributed_setup(logger: logging.Logger, requested_backend: str | None) -> None:
    """Say how the run is distributed, and when the backend is not the one asked for."""
    backend = get_backend()
    logger.info(
        f'distributed: {get_world_size()} processes, backend {backend}, this is rank '
        f'{get_rank()} (only rank 0 logs and writes checkpoints)'
    )
    if isinstance(requested_backend, str) and requested_backend.lower() != backend:
        reason = '' if torch.cuda.is_available() else ' (CUDA is not available)'
        logger.warning(
            f'env_cfg.dist_cfg.backend is {requested_backend!r} but the processes use '
            f'{backend!r}{reason}'
        )


def broadcast_model_state(model: nn.Module) -> None:
    """Copy rank 0's parameters and buffers to every rank (after ``init_weights``, which may
    draw different random numbers on each rank)."""
    if get_world_size() == 1:
        return
    with torch.no_grad():
        for tensor in model.state_dict().values():
            broadcast(tensor, src=0)


def agreed_latest_checkpoint(work_dir: str) -> tuple[str, dict[str, Any]] | None:
    """The newest good checkpoint of ``work_dir`` as rank 0 finds it, loaded on every rank.

    Ranks must resume from the same file; on several machines the work dir must therefore be
    on storage they share.
    """
    if get_world_size() == 1:
        return find_latest_checkpoint(work_dir)
    found = find_latest_checkpoint(work_dir) if is_main_process() else None
    path = broadcast_object(found[0] if found is not None else None)
    if path is None:
        return None
    if found is not None:
        return found
    return path, load_agreed_checkpoint(path)


def load_agreed_checkpoint(path: str) -> dict[str, Any]:
    """Load a checkpoint every rank was told to use, explaining a missing shared file."""
    try:
        return load_checkpoint_file(path)
    except CheckpointError as exc:
        raise CheckpointError(
            f'{exc} (on this rank; rank 0 chose it). Every process must be able to read the '
            f'checkpoint: on several machines put work_dir on storage they share'
        ) from exc
