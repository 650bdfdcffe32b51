"""``paramwise_cfg``: validation up front, into a frozen :class:`ParamwiseOptions`.

Every mistake is reported before any parameter is looked at, with its config key path: unknown
options (with did-you-mean), values that are not numbers >= 0, and weight-decay multipliers set
while the optimizer has no ``weight_decay``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...errors import ConfigError, short_repr, suggestion_text

LR_MULTIPLIERS = ('bias_lr_mult', 'dcn_offset_lr_mult')
DECAY_MULTIPLIERS = ('bias_decay_mult', 'norm_decay_mult', 'dwconv_decay_mult', 'flat_decay_mult')
MULTIPLIERS = LR_MULTIPLIERS + DECAY_MULTIPLIERS
#: Every option of ``DefaultOptimWrapperConstructor``'s ``paramwise_cfg``.
DEFAULT_OPTIONS = (*MULTIPLIERS, 'bypass_duplicate', 'custom_keys')
#: Entries of a ``custom_keys`` value that are multipliers (consumed, not copied into groups).
CUSTOM_MULTIPLIERS = ('lr_mult', 'decay_mult')


@dataclass(frozen=True)
class CustomKey:
    """One ``custom_keys`` entry: a substring of parameter names and what it sets."""

    key: str
    lr_mult: float | None
    decay_mult: float | None
    #: Other entries (``lars_exclude=True``, ``momentum=...``), copied into the param group.
    extras: tuple[tuple[str, Any], ...]
    #: ``extras`` in hashable form, for merging groups.
    extras_key: Any
    lr_rule: str
    wd_rule: str


@dataclass(frozen=True)
class ParamwiseOptions:
    """A validated ``paramwise_cfg``; ``None`` means the option is not set."""

    bias_lr_mult: float | None = None
    bias_decay_mult: float | None = None
    norm_decay_mult: float | None = None
    dwconv_decay_mult: float | None = None
    flat_decay_mult: float | None = None
    dcn_offset_lr_mult: float | None = None
    bypass_duplicate: bool = False
    #: Sorted for matching: alphabetically, then (stably) longest first.
    custom_keys: tuple[CustomKey, ...] = ()
    #: Options that are set, with their value (for rule descriptions and reports).
    rules: dict[str, str] = field(default_factory=dict)


def _join(path: str | None, key: str) -> str:
    return f'{path}.{key}' if path else key


def _multiplier(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f'must be a number >= 0, got {short_repr(value)}', path)
    return value


def hashable_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), hashable_value(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(hashable_value(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _parse_custom_keys(
    custom_keys: Any, path: str, base_wd: Any, optimizer: str
) -> tuple[CustomKey, ...]:
    if not isinstance(custom_keys, Mapping):
        raise ConfigError(
            "must be a dict of name substrings to settings, e.g. {'head': dict(lr_mult=0.1)}, "
            f'got {short_repr(custom_keys)}',
            path,
        )
    parsed = []
    for key in sorted(sorted(custom_keys), key=len, reverse=True):
        settings = custom_keys[key]
        key_path = f'{path}.{key}'
        if not isinstance(key, str) or not key:
            raise ConfigError(f'custom key {key!r} must be a non-empty string', path)
        if not isinstance(settings, Mapping):
            raise ConfigError(
                f'must be a dict such as dict(lr_mult=0.1, decay_mult=0.), got '
                f'{short_repr(settings)}',
                key_path,
            )
        lr_mult = settings.get('lr_mult')
        decay_mult = settings.get('decay_mult')
        if lr_mult is not None:
            _multiplier(lr_mult, f'{key_path}.lr_mult')
        if decay_mult is not None:
            _multiplier(decay_mult, f'{key_path}.decay_mult')
            if base_wd is None:
                raise ConfigError(
                    f'decay_mult={decay_mult!r} needs a weight decay to multiply, but '
                    f'{_no_weight_decay(optimizer)}; remove decay_mult',
                    f'{key_path}.decay_mult',
                )
        for entry in settings:
            if entry not in CUSTOM_MULTIPLIERS and suggestion_text(entry, CUSTOM_MULTIPLIERS):
                raise ConfigError(
                    f'{entry!r} is not a custom-key setting.'
                    f'{suggestion_text(entry, CUSTOM_MULTIPLIERS)} (entries other than lr_mult '
                    'and decay_mult are copied into the parameter group as they are)',
                    key_path,
                )
        extras = tuple((k, v) for k, v in sorted(settings.items()) if k not in CUSTOM_MULTIPLIERS)
        label = f'custom_keys[{key!r}]'
        parsed.append(
            CustomKey(
                key=key,
                lr_mult=lr_mult,
                decay_mult=decay_mult,
                extras=extras,
                extras_key=hashable_value(extras),
                lr_rule=(
                    f'{label}.lr_mult={lr_mult}'
                    if lr_mult is not None
                    else f'{label} without lr_mult: optimizer.lr'
                ),
                wd_rule=(
                    f'{label}.decay_mult={decay_mult}'
                    if decay_mult is not None
                    else f'{label} without decay_mult: optimizer.weight_decay, other rules off'
                ),
            )
        )
    return tuple(parsed)


def _no_weight_decay(optimizer: str) -> str:
    return f'{optimizer} has no weight_decay argument and the optimizer config sets none'


def parse_paramwise_cfg(
    paramwise_cfg: Mapping[str, Any] | None,
    *,
    base_lr: Any,
    base_wd: Any,
    key_path: str,
    optimizer: str = 'the optimizer',
    accepted: tuple[str, ...] = DEFAULT_OPTIONS,
    strict: bool = True,
) -> ParamwiseOptions:
    """Validate ``paramwise_cfg`` (found at ``key_path``) into :class:`ParamwiseOptions`.

    ``accepted`` lists the options the constructor understands; with ``strict`` any other key is
    an error (a misspelled ``norm_decay_mul`` would otherwise be ignored silently).
    """
    if paramwise_cfg is None:
        return ParamwiseOptions()
    if not isinstance(paramwise_cfg, Mapping):
        raise ConfigError(f'must be a dict, got {short_repr(paramwise_cfg)}', key_path)
    if strict:
        for key in paramwise_cfg:
            if key not in accepted:
                raise ConfigError(
                    f'{key!r} is not a paramwise_cfg option.{suggestion_text(str(key), accepted)} '
                    f'Options: {", ".join(accepted)}',
                    _join(key_path, str(key)),
                )
    values: dict[str, Any] = {}
    rules: dict[str, str] = {}
    for name in MULTIPLIERS:
        value = paramwise_cfg.get(name)
        if value is None:
            continue
        values[name] = _multiplier(value, _join(key_path, name))
        rules[name] = f'{name}={value}'
    no_wd = [name for name in DECAY_MULTIPLIERS if name in values]
    if base_wd is None and no_wd:
        raise ConfigError(
            f'{no_wd[0]}={values[no_wd[0]]!r} needs a weight decay to multiply, but '
            f'{_no_weight_decay(optimizer)}; remove the option',
            _join(key_path, no_wd[0]),
        )
    if base_lr is None:
        for name in LR_MULTIPLIERS:
            if name in values:
                raise ConfigError(
                    f'{name} needs a learning rate to multiply, but {optimizer} has no lr '
                    'argument and the optimizer config sets none',
                    _join(key_path, name),
                )
    bypass = paramwise_cfg.get('bypass_duplicate', False)
    if not isinstance(bypass, bool):
        raise ConfigError(
            f'must be True or False, got {short_repr(bypass)}', _join(key_path, 'bypass_duplicate')
        )
    custom_keys: tuple[CustomKey, ...] = ()
    if paramwise_cfg.get('custom_keys') is not None:
        custom_keys = _parse_custom_keys(
            paramwise_cfg['custom_keys'], _join(key_path, 'custom_keys'), base_wd, optimizer
        )
        if base_lr is None and any(c.lr_mult is not None for c in custom_keys):
            raise ConfigError(
                f'lr_mult needs a learning rate to multiply, but {optimizer} has no lr argument '
                'and the optimizer config sets none',
                _join(key_path, 'custom_keys'),
            )
    return ParamwiseOptions(**values, bypass_duplicate=bypass, custom_keys=custom_keys, rules=rules)
