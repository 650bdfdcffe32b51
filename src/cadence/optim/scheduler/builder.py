"""Build parameter schedulers from the ``param_scheduler`` config field, as the Runner does.

:func:`build_scheduler_from_cfg` is the ``PARAM_SCHEDULERS`` registry's build function: it handles
``convert_to_iter_based`` (reference §4.6). :func:`build_param_schedulers` builds the whole field:
it sets each scheduler's default ``end`` to the end of training and refuses an epoch-based
scheduler in iteration-based training (DESIGN deviation 3; the reference steps it once, at the
very end, so it silently does nothing).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ...errors import ConfigError, short_repr
from ...logging import get_logger
from ...registry import PARAM_SCHEDULERS, Registry, build_from_cfg
from ...registry.build import config_key_path, resolve_type
from .base import ParamScheduler
from .curves import INF
from .validation import check_epoch_length

logger = get_logger('cadence.optim.scheduler')


def build_scheduler_from_cfg(
    cfg: Any,
    registry: Registry,
    default_args: Mapping[str, Any] | None = None,
    key_path: str | None = None,
) -> ParamScheduler:
    """Build one scheduler; ``convert_to_iter_based=True`` calls ``build_iter_from_epoch``.

    ``epoch_length`` (from ``cfg`` or ``default_args``) is used only for the conversion and is
    never passed to a constructor.
    """
    key_path = key_path or config_key_path(cfg) or registry.name
    if not isinstance(cfg, Mapping):
        return build_from_cfg(cfg, registry, default_args, key_path)
    args = dict(cfg)
    defaults = dict(default_args or {})
    epoch_length = args.pop('epoch_length', defaults.pop('epoch_length', None))
    defaults.pop('epoch_length', None)
    convert = args.pop('convert_to_iter_based', False)
    if not isinstance(convert, bool):
        raise ConfigError(
            f'convert_to_iter_based must be True or False, got {short_repr(convert)}',
            f'{key_path}.convert_to_iter_based',
        )
    if not convert or 'type' not in args:
        return build_from_cfg(args, registry, defaults, key_path)
    scheduler_cls = resolve_type(args['type'], registry, key_path, cfg)
    name = getattr(scheduler_cls, '__name__', repr(scheduler_cls))
    if args.get('by_epoch', True) is not True:
        raise ConfigError(
            f'{name}: convert_to_iter_based=True converts a schedule written in epochs, but '
            f'by_epoch={args.get("by_epoch")!r} says the numbers are already iterations; remove '
            f'convert_to_iter_based',
            key_path,
        )
    converter = getattr(scheduler_cls, 'build_iter_from_epoch', None)
    if converter is None:
        raise ConfigError(
            f'{name} has no build_iter_from_epoch, so convert_to_iter_based cannot be used',
            key_path,
        )
    if epoch_length is None:
        raise ConfigError(
            f'{name}: convert_to_iter_based needs the number of iterations per epoch '
            f'(epoch_length); the Runner passes len(train_dataloader)',
            key_path,
        )
    try:
        length = check_epoch_length(epoch_length)
    except ConfigError as exc:
        raise ConfigError(exc.message, key_path) from None

    def build(**kwargs: Any) -> ParamScheduler:
        return converter(epoch_length=length, **kwargs)

    build.__name__ = name
    build.__signature__ = inspect.signature(scheduler_cls)  # type: ignore[attr-defined]
    args['type'] = build
    return build_from_cfg(args, registry, defaults, key_path)


def _is_multi_optimizer(optim_wrapper: Any) -> bool:
    """An ``OptimWrapperDict`` (one wrapper per optimizer name)."""
    return callable(getattr(optim_wrapper, 'items', None)) and not hasattr(
        optim_wrapper, 'add_param_group'
    )


def build_param_schedulers(
    optim_wrapper: Any,
    cfg: Any,
    *,
    epoch_length: int | None = None,
    max_epochs: int | None = None,
    max_iters: int | None = None,
    train_by_epoch: bool = True,
) -> list[ParamScheduler] | dict[str, list[ParamScheduler]]:
    """Build the ``param_scheduler`` field for ``optim_wrapper`` as the Runner does.

    Args:
        optim_wrapper: An optimizer, an ``OptimWrapper``, or an ``OptimWrapperDict``.
        cfg: One scheduler config, a list of them, built schedulers, or (several optimizers) a
            dict mapping optimizer names to such lists. ``None`` gives an empty list.
        epoch_length: Iterations per epoch (``len(train_dataloader)``).
        max_epochs, max_iters: Length of training; a scheduler without ``end`` ends there.
        train_by_epoch: Whether training is epoch-based (``EpochBasedTrainLoop``).

    Returns:
        A list of schedulers, or a dict of lists for an ``OptimWrapperDict``.
    """
    if cfg is None:
        return []
    key_path = config_key_path(cfg) or 'param_scheduler'
    options = dict(
        epoch_length=epoch_length,
        max_epochs=max_epochs,
        max_iters=max_iters,
        train_by_epoch=train_by_epoch,
    )
    per_optimizer = isinstance(cfg, Mapping) and 'type' not in cfg
    if _is_multi_optimizer(optim_wrapper):
        built = {}
        for name, wrapper in optim_wrapper.items():
            if per_optimizer and name not in cfg:
                raise ConfigError(
                    f'no schedulers for optimizer {name!r} (schedulers are given for '
                    f'{", ".join(map(repr, cfg))})',
                    key_path,
                )
            sub = cfg[name] if per_optimizer else cfg
            path = f'{key_path}.{name}' if per_optimizer else key_path
            built[name] = _build_list(wrapper, sub, path, **options)
        return built
    if per_optimizer:
        raise ConfigError(
            f'a dict without "type" gives schedulers per optimizer name '
            f'({", ".join(map(repr, cfg))}), but there is a single optimizer; give one scheduler '
            f'config or a list of them',
            key_path,
        )
    return _build_list(optim_wrapper, cfg, key_path, **options)


def _build_list(
    optim_wrapper: Any,
    cfg: Any,
    key_path: str,
    *,
    epoch_length: int | None,
    max_epochs: int | None,
    max_iters: int | None,
    train_by_epoch: bool,
) -> list[ParamScheduler]:
    single = isinstance(cfg, (Mapping, ParamScheduler))
    if not single and not isinstance(cfg, (list, tuple)):
        raise ConfigError(
            f'expected a scheduler config, a list of them, or built schedulers; got '
            f'{type(cfg).__name__} {short_repr(cfg)}',
            key_path,
        )
    items = [cfg] if single else list(cfg)
    schedulers = []
    for index, item in enumerate(items):
        path = config_key_path(item) or (key_path if single else f'{key_path}.{index}')
        if isinstance(item, ParamScheduler):
            _check_clock(type(item).__name__, item.by_epoch, False, item.need_val_args,
                         train_by_epoch, path)  # fmt: skip
            schedulers.append(item)
            continue
        if not isinstance(item, Mapping):
            raise ConfigError(
                f'expected a scheduler config (a dict with "type") or a scheduler, got '
                f'{type(item).__name__} {short_repr(item)}',
                path,
            )
        args = dict(item)
        if 'type' in args:
            scheduler_cls = resolve_type(args['type'], PARAM_SCHEDULERS, path, item)
            name = getattr(scheduler_cls, '__name__', str(args['type']))
            plateau = bool(getattr(scheduler_cls, 'need_val_args', False))
            convert = args.get('convert_to_iter_based', False) is True
            by_epoch = args.get('by_epoch', True)
            _check_clock(name, by_epoch, convert, plateau, train_by_epoch, path)
            if 'end' not in args:
                end = _default_end(by_epoch, convert, plateau, train_by_epoch, epoch_length,
                                   max_epochs, max_iters)  # fmt: skip
                if end is not None:
                    _check_begin_before(name, args.get('begin', 0), end, path)
                    args['end'] = end
        default_args = {'optimizer': optim_wrapper}
        if epoch_length is not None:
            default_args['epoch_length'] = epoch_length
        scheduler = PARAM_SCHEDULERS.build(args, default_args=default_args, key_path=path)
        scheduler._epoch_length = epoch_length
        horizon = max_epochs if scheduler.by_epoch else max_iters
        if horizon is not None:
            _warn_unreachable(scheduler, horizon, path)
        schedulers.append(scheduler)
    return schedulers


def _warn_unreachable(scheduler: ParamScheduler, horizon: int, path: str) -> None:
    """Milestones after the end of training never apply: usually epochs and iterations mixed."""
    milestones = getattr(scheduler, 'milestones', None)
    if not isinstance(milestones, list):
        return
    late = [m for m in milestones if scheduler.begin + m >= min(horizon, scheduler.end)]
    if late:
        unit = 'epochs' if scheduler.by_epoch else 'iterations'
        logger.warning(
            '%s: %s milestones %s are not before the end of its window or of training '
            '(%d %s); they never apply',
            path,
            type(scheduler).__name__,
            late,
            min(horizon, scheduler.end),
            unit,
        )


def _check_clock(
    name: str, by_epoch: Any, convert: bool, plateau: bool, train_by_epoch: bool, path: str
) -> None:
    """DESIGN deviation 3: an epoch-based scheduler cannot run in iteration-based training."""
    if train_by_epoch or by_epoch is not True or convert or plateau:
        return
    raise ConfigError(
        f'{name} is epoch-based (by_epoch=True, the default) but training is iteration-based '
        f'(train_cfg by_epoch=False / IterBasedTrainLoop), so it would step only once, at the '
        f'very end, and never change anything. Set by_epoch=False and give begin/end/milestones '
        f'in iterations, or add convert_to_iter_based=True to keep them in epochs of '
        f'len(train_dataloader) iterations',
        path,
    )


def _default_end(
    by_epoch: Any,
    convert: bool,
    plateau: bool,
    train_by_epoch: bool,
    epoch_length: int | None,
    max_epochs: int | None,
    max_iters: int | None,
) -> int | Fraction | None:
    """The end of training in the scheduler's units, or ``None`` to keep ``end=INF``."""
    if plateau:
        return max_epochs if train_by_epoch else None
    if by_epoch is True:
        if train_by_epoch:
            return max_epochs
        if convert and max_iters is not None and epoch_length:
            # In epochs, exactly: build_iter_from_epoch turns it back into max_iters.
            return Fraction(max_iters, epoch_length)
        return None
    return max_iters


def _check_begin_before(name: str, begin: Any, end: Any, path: str) -> None:
    if isinstance(begin, (int, float)) and not isinstance(begin, bool) and begin >= end != INF:
        raise ConfigError(
            f'{name} begins at {begin}, which is not before the end of training ({end}); it '
            f'would never act',
            f'{path}.begin',
        )
