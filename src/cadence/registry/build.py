"""``build_from_cfg``: turn ``dict(type=..., **kwargs)`` into an object, with errors that say where.

Every failure names the config key path it was built from (``optim_wrapper.optimizer``) and, for
values loaded from files, the file and line. Keyword arguments are checked against the
constructor's signature *before* it runs, so a typo gets a did-you-mean instead of a traceback.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import (
    BuildError,
    ConfigError,
    did_you_mean,
    short_repr,
    suggestion_text,
    with_key_path,
)
from .default_scope import overwrite_default_scope
from .registry import ImportFailure

if TYPE_CHECKING:
    from .registry import Registry

#: Keys that belong to the config system and must never reach a constructor.
RESERVED_KEYS = ('_delete_', '_base_')


class UnknownTypeError(ConfigError, KeyError):
    """``type`` names nothing in the registry (a subclass of ``KeyError`` like the reference's)."""

    def __str__(self) -> str:
        return ConfigError.__str__(self)


def config_key_path(cfg: Any) -> str | None:
    """The key path a config node was loaded at (``'optim_wrapper.optimizer'``), if known."""
    from ..config.config_dict import key_path_of

    return key_path_of(cfg)


def config_location(cfg: Any, key: str) -> str:
    """`` (set at file.py:12)`` for ``cfg[key]`` when the config knows where it came from."""
    from ..config.config_dict import location_of

    where = location_of(cfg, key)
    return f' (set at {where})' if where else ''


def _type_name(obj_type: Any) -> str:
    return obj_type if isinstance(obj_type, str) else getattr(obj_type, '__name__', repr(obj_type))


def accepted_arguments(obj: Any) -> tuple[list[str], list[str], bool] | None:
    """``(accepted, required, takes_var_kwargs)`` for a class or callable, or ``None``."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    accepted: list[str] = []
    required: list[str] = []
    var_kwargs = False
    for param in signature.parameters.values():
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            var_kwargs = True
        elif param.kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            accepted.append(param.name)
            if param.default is inspect.Parameter.empty:
                required.append(param.name)
    return accepted, required, var_kwargs


def check_arguments(obj: Any, args: Mapping[str, Any], key_path: str, name: str) -> None:
    """Raise ``ConfigError`` for keyword arguments ``obj`` does not accept or lacks."""
    spec = accepted_arguments(obj)
    if spec is None:
        return
    accepted, required, var_kwargs = spec
    if not var_kwargs:
        for key in args:
            if key not in accepted:
                raise ConfigError(
                    f'{name} got an unexpected argument {key!r}.'
                    f'{suggestion_text(key, accepted)} '
                    f'Accepted arguments: {", ".join(accepted) or "(none)"}',
                    key_path,
                )
    missing = [r for r in required if r not in args]
    if missing:
        plural = 's' if len(missing) > 1 else ''
        raise ConfigError(
            f'{name} is missing required argument{plural} '
            f'{", ".join(repr(m) for m in missing)}. '
            f'Accepted arguments: {", ".join(accepted)}',
            key_path,
        )


def resolve_type(obj_type: Any, registry: Registry, key_path: str, cfg: Any = None) -> Any:
    """The class or function a config's ``type`` names, or a ``ConfigError`` saying why not."""
    if callable(obj_type) and not isinstance(obj_type, str):
        return obj_type
    if not isinstance(obj_type, str):
        raise ConfigError(
            f'type must be a registered name, a dotted import path or a class, '
            f'got {short_repr(obj_type)}',
            f'{key_path}.type',
        )
    target = registry.registry_for_default_scope()
    try:
        obj = target.get(obj_type)
    except ImportFailure as exc:
        raise ConfigError(str(exc), f'{key_path}.type') from exc
    if obj is None:
        names = target.keys()
        shown = ', '.join(sorted(names)) if len(names) <= 40 else f'{len(names)} names'
        where = config_location(cfg, 'type') if cfg is not None else ''
        hint = ''
        if '.' in obj_type and obj_type.partition('.')[0] not in (target.scope,):
            hint = ' (it is not a registered name, and no module provides it as an import path)'
        raise UnknownTypeError(
            f'{obj_type!r}{where} is not in the {target.name} registry '
            f'(scope {target.scope!r}){hint}.{suggestion_text(obj_type.rpartition(".")[2], names)}'
            f' Registered: {shown}',
            f'{key_path}.type',
        )
    return obj


def build_from_cfg(
    cfg: Any,
    registry: Registry,
    default_args: Mapping[str, Any] | None = None,
    key_path: str | None = None,
) -> Any:
    """Build ``cfg['type'](**rest)`` found through ``registry``.

    Args:
        cfg: A mapping with a ``type`` key (a name, scoped name, import path or class).
        registry: Where names are looked up.
        default_args: Arguments added when ``cfg`` does not set them (``cfg`` wins).
        key_path: Where ``cfg`` sits in the config, for messages; inferred from a loaded config.
    """
    key_path = key_path or config_key_path(cfg) or registry.name
    if not isinstance(cfg, Mapping):
        raise ConfigError(
            f'expected a dict with a "type" key, got {type(cfg).__name__} {short_repr(cfg)}',
            key_path,
        )
    if default_args is not None and not isinstance(default_args, Mapping):
        raise TypeError(f'default_args must be a mapping, got {type(default_args).__name__}')
    args = dict(cfg)
    for key, value in (default_args or {}).items():
        args.setdefault(key, value)
    for reserved in RESERVED_KEYS:
        if reserved in args:
            raise ConfigError(
                f'{reserved!r} reached the constructor; it only has a meaning inside config '
                f'files (it is applied while files are merged)',
                key_path,
            )
    if 'type' not in args:
        names = registry.keys()
        raise ConfigError(
            f'missing "type"; it says what to build from the {registry.name} registry, for '
            f'example {", ".join(repr(n) for n in sorted(names)[:5])}',
            key_path,
        )
    scope = args.pop('_scope_', None)
    obj_type = args.pop('type')
    with overwrite_default_scope(scope):
        obj_cls = resolve_type(obj_type, registry, key_path, cfg)
    name = _type_name(obj_type)
    check_arguments(obj_cls, args, key_path, name)
    try:
        return obj_cls(**args)
    except BuildError:
        raise
    except ConfigError as exc:
        if exc.key_path is not None:
            raise
        raise ConfigError(f'{name}: {exc.message}', key_path) from exc
    except Exception as exc:
        raise with_key_path(exc, key_path, name) from exc


__all__ = [
    'RESERVED_KEYS',
    'UnknownTypeError',
    'accepted_arguments',
    'build_from_cfg',
    'check_arguments',
    'config_key_path',
    'did_you_mean',
    'resolve_type',
]
