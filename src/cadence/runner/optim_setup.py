"""Building the optimizer wrapper and schedulers for a run, and ``auto_scale_lr``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ..dist import get_world_size
from ..errors import ConfigError


def is_built_optim_wrapper(obj: Any) -> bool:
    """Whether ``obj`` is an optimizer wrapper object (not a config)."""
    return obj is not None and not isinstance(obj, dict) and hasattr(obj, 'update_params')


def build_optim_wrapper(model: nn.Module, cfg: Any) -> Any:
    """The run's optimizer wrapper from any form ``optim_wrapper`` may take:

    - a built wrapper (returned as is);
    - a dict whose ``optimizer`` is a built ``torch.optim.Optimizer``;
    - a dict with an ``optimizer`` config or a ``constructor`` (``build_optim_wrapper``);
    - a dict of built wrappers (several optimizers).
    """
    if is_built_optim_wrapper(cfg):
        return cfg
    if not isinstance(cfg, Mapping):
        raise ConfigError(
            f"must be a dict such as dict(optimizer=dict(type='SGD', lr=0.01)), got {cfg!r}",
            'optim_wrapper',
        )
    if isinstance(cfg.get('optimizer'), torch.optim.Optimizer):
        from ..registry import OPTIM_WRAPPERS

        return OPTIM_WRAPPERS.build({'type': 'OptimWrapper', **cfg}, key_path='optim_wrapper')
    if 'optimizer' in cfg or 'constructor' in cfg:
        from ..optim import build_optim_wrapper as build

        return build(model, cfg)
    if cfg and all(is_built_optim_wrapper(v) for v in cfg.values()):
        from ..optim import OptimWrapperDict

        return OptimWrapperDict(**cfg)
    raise ConfigError(
        "needs an optimizer, e.g. dict(optimizer=dict(type='SGD', lr=0.01)), or a "
        "constructor (several optimizers: constructor='MyConstructor')",
        'optim_wrapper',
    )


def _sub_wrappers(optim_wrapper: Any) -> dict[str, Any]:
    if hasattr(optim_wrapper, 'items') and not hasattr(optim_wrapper, 'optimizer'):
        return dict(optim_wrapper.items())
    return {'': optim_wrapper}


def accumulative_counts(wrapper: Any) -> int:
    """How many iterations one optimizer update of ``wrapper`` spans."""
    for name in ('accumulative_counts', '_accumulative_counts'):
        value = getattr(wrapper, name, None)
        if isinstance(value, int):
            return value
    return 1


def scale_lr(
    optim_wrapper: Any,
    auto_scale_lr: Mapping[str, Any] | None,
    batch_size: int,
    logger: logging.Logger,
) -> None:
    """Scale every lr (the base-lr pseudo-group included) by the ratio of the real total batch
    — world size x per-rank batch x accumulation steps — to ``base_batch_size``.

    The reference ignores accumulation and leaves the pseudo-group's lr unscaled.
    """
    if not auto_scale_lr or not auto_scale_lr.get('enable', False):
        return
    base = auto_scale_lr['base_batch_size']
    world = get_world_size()
    for name, wrapper in _sub_wrappers(optim_wrapper).items():
        accumulation = accumulative_counts(wrapper)
        total = world * batch_size * accumulation
        ratio = total / base
        for group in wrapper.param_groups:
            group['lr'] = group['lr'] * ratio
        label = f' ({name})' if name else ''
        logger.info(
            f'auto_scale_lr{label}: total batch {world} x {batch_size} x {accumulation} '
            f'(ranks x batch x accumulation) = {total}, base_batch_size {base}: lr scaled '
            f'by {ratio:g}'
        )


def build_schedulers(runner, cfg: Any) -> Any:
    """The run's parameter schedulers (ends default to the training length)."""
    from ..optim.scheduler import build_param_schedulers

    loop = runner.train_loop
    return build_param_schedulers(
        runner.optim_wrapper,
        cfg,
        epoch_length=len(loop.dataloader),
        max_epochs=loop.max_epochs,
        max_iters=loop.max_iters,
        train_by_epoch=runner.train_by_epoch,
    )
