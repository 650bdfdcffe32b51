"""The parameter-wise rules as pure functions: what a parameter gets, and which rule gave it.

A parameter's settings depend only on the custom key that matches its name, or else on a few
facts about it (is it a bias, in a norm layer, in a depthwise conv, 1-D, in a DCN), so the
constructors compute each outcome once and reuse it for every parameter in the same situation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .paramwise_options import CustomKey, ParamwiseOptions


@dataclass(frozen=True)
class Settings:
    """The lr / weight decay (``None``: the optimizer's default) and extra group entries of a
    parameter, with the rules that chose them."""

    lr: Any
    weight_decay: Any
    extras: tuple[tuple[str, Any], ...]
    lr_rule: str
    wd_rule: str
    #: Equal for settings that may share a parameter group.
    key: Any
    #: Other entries every group of these settings has (``lr_scale`` under layer decay).
    more: tuple[tuple[str, Any], ...] = ()

    def group(self, params: list[Any]) -> dict[str, Any]:
        """A parameter group holding ``params`` with these settings."""
        group: dict[str, Any] = {'params': params}
        if self.lr is not None:
            group['lr'] = self.lr
        if self.weight_decay is not None:
            group['weight_decay'] = self.weight_decay
        group.update(self.more)
        group.update(self.extras)
        return group


def groups_from_settings(params: list[Any], settings: list[Settings]) -> list[dict[str, Any]]:
    """One group per distinct ``Settings.key``, in order of first appearance (DESIGN
    deviation 6), parameters in their original order inside each group."""
    members: dict[Any, list[Any]] = {}
    first: dict[Any, Settings] = {}
    for param, chosen in zip(params, settings):
        bucket = members.get(chosen.key)
        if bucket is None:
            bucket = members[chosen.key] = []
            first[chosen.key] = chosen
        bucket.append(param)
    return [first[key].group(bucket) for key, bucket in members.items()]


@dataclass(frozen=True)
class Base:
    """The optimizer's own lr and weight decay and where they come from."""

    lr: Any
    weight_decay: Any
    lr_source: str
    wd_source: str


@dataclass(frozen=True)
class Situation:
    """The facts about a parameter that the type rules look at."""

    is_bias: bool
    in_norm: bool
    in_depthwise_conv: bool
    in_dcn: bool
    is_flat: bool
    is_dcn_offset: bool


def custom_key_settings(custom: CustomKey, base: Base) -> Settings:
    """A matching custom key alone decides: ``lr × lr_mult``, ``weight_decay × decay_mult``."""
    lr, weight_decay = base.lr, base.weight_decay
    lr_rule, wd_rule = base.lr_source, base.wd_source
    if base.lr is not None:
        if custom.lr_mult is not None:
            lr = base.lr * custom.lr_mult
        lr_rule = custom.lr_rule
    if base.weight_decay is not None:
        if custom.decay_mult is not None:
            weight_decay = base.weight_decay * custom.decay_mult
        wd_rule = custom.wd_rule
    return Settings(
        lr, weight_decay, custom.extras, lr_rule, wd_rule, (lr, weight_decay, custom.extras_key)
    )


def decay_multiplier(options: ParamwiseOptions, situation: Situation) -> str | None:
    """The weight-decay option that applies (first match), or ``None``.

    Norm layer with ``norm_decay_mult``; a bias (never a norm layer's, DESIGN deviation 5; not
    in a DCN) with ``bias_decay_mult``; a depthwise conv with ``dwconv_decay_mult``; a 1-D
    parameter (not in a DCN) with ``flat_decay_mult``.
    """
    s = situation
    if s.in_norm and options.norm_decay_mult is not None:
        return 'norm_decay_mult'
    if s.is_bias and not s.in_norm and not s.in_dcn and options.bias_decay_mult is not None:
        return 'bias_decay_mult'
    if s.in_depthwise_conv and options.dwconv_decay_mult is not None:
        return 'dwconv_decay_mult'
    if s.is_flat and not s.in_dcn and options.flat_decay_mult is not None:
        return 'flat_decay_mult'
    return None


def rule_settings(options: ParamwiseOptions, base: Base, situation: Situation) -> Settings:
    """The type rules of ``DefaultOptimWrapperConstructor`` for a parameter no key matched."""
    lr, weight_decay = base.lr, base.weight_decay
    lr_rule, wd_rule = base.lr_source, base.wd_source
    s = situation
    if s.is_bias and options.bias_lr_mult is not None and not (s.in_norm or s.in_dcn):
        lr = base.lr * options.bias_lr_mult
        lr_rule = options.rules['bias_lr_mult']
    if s.is_dcn_offset and options.dcn_offset_lr_mult is not None:
        lr = base.lr * options.dcn_offset_lr_mult
        lr_rule = options.rules['dcn_offset_lr_mult']
    if base.weight_decay is not None:
        multiplier = decay_multiplier(options, situation)
        if multiplier is not None:
            weight_decay = base.weight_decay * getattr(options, multiplier)
            wd_rule = options.rules[multiplier]
    return Settings(lr, weight_decay, (), lr_rule, wd_rule, (lr, weight_decay, ()))


def layer_decay_weight_decay(
    options: ParamwiseOptions, base: Base, custom: CustomKey | None, situation: Situation | None
) -> tuple[Any, str]:
    """Weight decay under layer-wise lr decay (MMPretrain's precedence, no depthwise rule):
    custom key, else norm, else bias (not a norm layer's), else 1-D."""
    if base.weight_decay is None:
        return None, base.wd_source
    if custom is not None:
        multiplier = custom.decay_mult if custom.decay_mult is not None else 1
        return base.weight_decay * multiplier, custom.wd_rule
    s = situation
    for option, applies in (
        ('norm_decay_mult', s.in_norm),
        ('bias_decay_mult', s.is_bias and not s.in_norm),
        ('flat_decay_mult', s.is_flat),
    ):
        if applies and getattr(options, option) is not None:
            return base.weight_decay * getattr(options, option), options.rules[option]
    return base.weight_decay, base.wd_source
