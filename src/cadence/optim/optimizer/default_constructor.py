"""``DefaultOptimWrapperConstructor``: builds the optimizer (with ``paramwise_cfg``) and wrapper.

Per parameter, in the module tree's order (a module's own parameters before its children's):

1. **custom_keys**: the longest key that is a substring of ``'{module path}.{name}'`` wins (ties
   alphabetically) and alone sets ``lr = lr × lr_mult`` and ``weight_decay = weight_decay ×
   decay_mult``; its other entries (``lars_exclude=True`` ...) are copied into the group.
2. Otherwise the type rules. lr: ``bias_lr_mult`` for biases (not of norm layers or DCNs),
   overridden by ``dcn_offset_lr_mult`` for a DCN's ``conv_offset``. Weight decay, first match:
   norm layer with ``norm_decay_mult``; bias with ``bias_decay_mult`` (never a norm layer's bias,
   DESIGN deviation 5); depthwise conv with ``dwconv_decay_mult``; 1-D parameter with
   ``flat_decay_mult``.

Deviations (DESIGN 5 and 6): a depthwise conv is ``groups == in_channels > 1``; parameters with
identical settings share one group; frozen parameters stay in the optimizer with their group's
settings (so unfreezing later just works); a duplicated (tied) parameter without
``bypass_duplicate`` is a clear error instead of torch's.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ...errors import ConfigError, short_repr
from ...logging import get_logger
from ...registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS, OPTIMIZERS
from ...registry.build import accepted_arguments, resolve_type
from ...registry.default_scope import overwrite_default_scope
from .config_paths import key_path_of
from .module_kinds import is_depthwise_conv, is_norm, walk_modules
from .param_groups import ParamRules, merge_param_groups
from .paramwise_options import DEFAULT_OPTIONS, CustomKey, ParamwiseOptions, parse_paramwise_cfg
from .paramwise_rules import (
    Base,
    Settings,
    Situation,
    custom_key_settings,
    groups_from_settings,
    rule_settings,
)

#: Group keys some optimizers read besides their constructor arguments.
KNOWN_GROUP_FLAGS = frozenset({'lars_exclude', 'lr_scale'})
#: Optimizer-config keys that belong to the layer-decay constructor (MMSelfSup style).
LAYER_DECAY_KEYS = ('model_type', 'layer_decay_rate')


def optimizer_signature(optimizer_cls: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(optimizer_cls)
    except (TypeError, ValueError):
        return None


def defines_own_add_params(cls: type) -> bool:
    """Whether ``cls.add_params`` is Cadence's (which pairs with ``collect_settings``) rather
    than one a user subclass wrote in the reference's style."""
    for klass in cls.__mro__:
        if 'add_params' in klass.__dict__:
            return klass.__module__.startswith('cadence.')
    return True


def first_argument_name(optimizer_cls: Any) -> str:
    """The name of the argument that receives the parameters (``params`` for torch)."""
    spec = accepted_arguments(optimizer_cls)
    return spec[0][0] if spec and spec[0] else 'params'


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class DefaultOptimWrapperConstructor:
    """Builds ``OptimWrapper(optimizer=...)`` from an ``optim_wrapper`` config and a model.

    Args:
        optim_wrapper_cfg: The ``optim_wrapper`` config without ``constructor`` and
            ``paramwise_cfg``: ``optimizer`` (required) and the wrapper's own arguments.
        paramwise_cfg: Parameter-wise rules (see the module docstring), or ``None``.
    """

    #: ``paramwise_cfg`` options this constructor understands.
    paramwise_options: tuple[str, ...] = DEFAULT_OPTIONS
    #: Whether an unknown ``paramwise_cfg`` key is an error. User subclasses are lenient unless
    #: they set this themselves (they may read options of their own).
    strict_paramwise_cfg = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if 'strict_paramwise_cfg' not in cls.__dict__:
            cls.strict_paramwise_cfg = False

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: dict | None = None) -> None:
        self.key_path = key_path_of(optim_wrapper_cfg) or 'optim_wrapper'
        if not isinstance(optim_wrapper_cfg, Mapping):
            raise ConfigError(
                f'must be a dict such as dict(optimizer=dict(type="SGD", lr=0.01)), got '
                f'{short_repr(optim_wrapper_cfg)}',
                self.key_path,
            )
        cfg = dict(optim_wrapper_cfg)
        if 'optimizer' not in cfg:
            raise ConfigError(
                'has no "optimizer"; add one, e.g. optimizer=dict(type="SGD", lr=0.01)',
                self.key_path,
            )
        self.optimizer_cfg = cfg.pop('optimizer')
        self.optimizer_key_path = key_path_of(self.optimizer_cfg) or f'{self.key_path}.optimizer'
        if not isinstance(self.optimizer_cfg, Mapping):
            raise ConfigError(
                f'must be a dict with a "type", e.g. dict(type="SGD", lr=0.01), got '
                f'{short_repr(self.optimizer_cfg)}',
                self.optimizer_key_path,
            )
        self.optim_wrapper_cfg = cfg
        self.paramwise_cfg = {} if paramwise_cfg is None else paramwise_cfg
        self.paramwise_key_path = key_path_of(paramwise_cfg) or f'{self.key_path}.paramwise_cfg'
        self.optimizer_cls = self.optimizer_class(self.optimizer_cfg)
        self.base_lr, self.lr_source = self.base_value('lr')
        self.base_wd, self.wd_source = self.base_value('weight_decay')
        self.options: ParamwiseOptions = self.parse_options()
        self.base = Base(self.base_lr, self.base_wd, self.lr_source, self.wd_source)

    def base_value(self, key: str) -> tuple[Any, str]:
        """``(value, where it comes from)`` of the optimizer's ``lr`` or ``weight_decay``.

        The optimizer config's value, else the optimizer's own default (AdamW's
        ``weight_decay=0.01``), so multipliers apply to what the optimizer really uses; the
        reference raises instead (or ignores ``flat_decay_mult``). ``None`` when the optimizer
        has no such argument.
        """
        if self.optimizer_cfg.get(key) is not None:
            return self.optimizer_cfg[key], f'optimizer.{key}'
        signature = optimizer_signature(self.optimizer_cls)
        parameter = signature.parameters.get(key) if signature is not None else None
        if parameter is None or parameter.default is inspect.Parameter.empty:
            return None, 'optimizer default'
        default = parameter.default
        if isinstance(default, bool) or not isinstance(default, (int, float)):
            return None, 'optimizer default'
        name = getattr(self.optimizer_cls, '__name__', 'optimizer')
        return default, f'{name} default {key}={default}'

    def parse_options(self) -> ParamwiseOptions:
        """Validate ``paramwise_cfg``; subclasses with other options override this."""
        paramwise_cfg = self.paramwise_cfg
        if self.reference_ignores_flat_decay():
            get_logger().warning(
                '%s.flat_decay_mult is ignored because the optimizer config sets no '
                'weight_decay (as the reference does); set weight_decay to use it.',
                self.paramwise_key_path,
            )
            paramwise_cfg = {k: v for k, v in paramwise_cfg.items() if k != 'flat_decay_mult'}
        return parse_paramwise_cfg(
            paramwise_cfg,
            base_lr=self.base_lr,
            base_wd=self.base_wd,
            key_path=self.paramwise_key_path,
            optimizer=getattr(self.optimizer_cls, '__name__', 'the optimizer'),
            accepted=self.paramwise_options,
            strict=self.strict_paramwise_cfg,
        )

    def reference_ignores_flat_decay(self) -> bool:
        """Whether ``flat_decay_mult`` is the only decay multiplier and the optimizer config
        sets no ``weight_decay``: the reference then ignores it (other multipliers make it
        raise, so for those Cadence multiplies the optimizer's default instead), and configs
        written for it must give the same numbers."""
        cfg = self.paramwise_cfg
        if self.optimizer_cfg.get('weight_decay') is not None or not isinstance(cfg, Mapping):
            return False
        if cfg.get('flat_decay_mult') is None:
            return False
        others = ('bias_decay_mult', 'norm_decay_mult', 'dwconv_decay_mult')
        if any(cfg.get(name) is not None for name in others):
            return False
        custom_keys = cfg.get('custom_keys') or {}
        return not any(
            isinstance(v, Mapping) and v.get('decay_mult') is not None for v in custom_keys.values()
        )

    # -- building ------------------------------------------------------------------------------

    def __call__(self, model: nn.Module) -> Any:
        """Build the optimizer for ``model``'s parameters and wrap it."""
        if hasattr(model, 'module'):
            model = model.module
        optimizer_cfg = self.prepare_optimizer_cfg()
        optimizer_cls = self.optimizer_cls
        if self.wants_param_groups():
            groups, rules = self.build_param_groups(model)
            self.check_group_extras(optimizer_cls)
        else:
            groups = [{'params': list(model.parameters())}]
            rules = self.plain_rules(model)
        if not any(group['params'] for group in groups):
            raise ConfigError(
                f'the model {type(model).__name__} has no parameters to optimize',
                self.optimizer_key_path,
            )
        optimizer = OPTIMIZERS.build(
            optimizer_cfg,
            default_args={first_argument_name(optimizer_cls): groups},
            key_path=self.optimizer_key_path,
        )
        return self.build_wrapper(optimizer, rules)

    def wants_param_groups(self) -> bool:
        """Whether to decide settings per parameter (else one group with every parameter)."""
        return bool(self.paramwise_cfg)

    def prepare_optimizer_cfg(self) -> dict[str, Any]:
        """The optimizer config to build (a copy); rejects keys meant for other places."""
        cfg = dict(self.optimizer_cfg)
        if 'params' in cfg:
            raise ConfigError(
                'must not set "params": the constructor passes the model\'s parameters',
                f'{self.optimizer_key_path}.params',
            )
        misplaced = [key for key in LAYER_DECAY_KEYS if key in cfg]
        if misplaced:
            raise ConfigError(
                f'{misplaced[0]!r} is an option of layer-wise lr decay, which the default '
                'constructor does not do; add '
                "constructor='LearningRateDecayOptimWrapperConstructor' to optim_wrapper",
                f'{self.optimizer_key_path}.{misplaced[0]}',
            )
        return cfg

    def optimizer_class(self, optimizer_cfg: Mapping[str, Any]) -> Any:
        if 'type' not in optimizer_cfg:
            raise ConfigError(
                'has no "type"; name an optimizer, e.g. type="SGD" or type="AdamW"',
                self.optimizer_key_path,
            )
        with overwrite_default_scope(optimizer_cfg.get('_scope_')):
            return resolve_type(
                optimizer_cfg['type'], OPTIMIZERS, self.optimizer_key_path, optimizer_cfg
            )

    def build_wrapper(self, optimizer: torch.optim.Optimizer, rules: ParamRules) -> Any:
        wrapper_cfg = dict(self.optim_wrapper_cfg)
        wrapper_cfg.setdefault('type', 'OptimWrapper')
        wrapper = OPTIM_WRAPPERS.build(
            wrapper_cfg, default_args={'optimizer': optimizer}, key_path=self.key_path
        )
        with contextlib.suppress(AttributeError):
            wrapper.param_rules = rules
        return wrapper

    def plain_rules(self, model: nn.Module) -> ParamRules:
        """Rules for the case without ``paramwise_cfg``: every parameter gets the optimizer's."""
        rules = ParamRules(type(self).__name__)
        settings = Settings(None, None, (), self.lr_source, self.wd_source, None)
        for name, param in model.named_parameters():
            rules.names.append(name)
            rules.params.append(param)
            rules.settings.append(settings)
        return rules

    def start_collecting(self) -> None:
        """Reset what ``collect_settings`` records (once per model)."""
        self._rules = ParamRules(type(self).__name__)
        self._seen: dict[int, str] = {}
        self._matched_keys: set[str] = set()
        self._settings_cache: dict[Any, Any] = {}

    def build_param_groups(self, model: nn.Module) -> tuple[list[dict[str, Any]], ParamRules]:
        """Settings per parameter, then one group per distinct setting."""
        self.start_collecting()
        rules = self._rules
        if defines_own_add_params(type(self)):
            self.collect_settings(model)
            groups = groups_from_settings(rules.params, rules.settings)
        else:  # a subclass decides per parameter in its own add_params (the reference's API)
            params: list[dict[str, Any]] = []
            self.add_params(params, model)
            groups = merge_param_groups(params)
        rules.unmatched_keys = [
            c.key for c in self.options.custom_keys if c.key not in self._matched_keys
        ]
        if rules.unmatched_keys:
            get_logger().warning(
                '%s.custom_keys: %s matched no parameter name (keys are substrings of names '
                'such as %r); check them for typos.',
                self.paramwise_key_path,
                ', '.join(repr(k) for k in rules.unmatched_keys),
                rules.names[0] if rules.names else 'backbone.layer1.0.weight',
            )
        return groups, rules

    def check_group_extras(self, optimizer_cls: Any) -> None:
        """Warn about custom-key entries the optimizer will not read."""
        spec = accepted_arguments(optimizer_cls)
        if spec is None or spec[2]:
            return
        accepted = set(spec[0]) | KNOWN_GROUP_FLAGS
        for custom in self.options.custom_keys:
            for key, _ in custom.extras:
                if key not in accepted:
                    get_logger().warning(
                        '%s.custom_keys[%r].%s is not a setting of %s; it is copied into the '
                        'parameter group, where the optimizer ignores it.',
                        self.paramwise_key_path,
                        custom.key,
                        key,
                        getattr(optimizer_cls, '__name__', optimizer_cls),
                    )

    # -- the rules -----------------------------------------------------------------------------

    def _skip_duplicate(self, param: torch.Tensor, name: str) -> bool:
        """``param`` was already added under another name: skip it (``bypass_duplicate``) or
        raise a clear error."""
        first = self._seen[id(param)]
        if self.options.bypass_duplicate:
            self._rules.skipped.append(name)
            get_logger().warning(
                '%s is the same tensor as %s (a shared module); it is optimized once, with the '
                "settings of '%s' (bypass_duplicate=True).",
                name,
                first,
                first,
            )
            return True
        raise ConfigError(
            f'parameter {name!r} is the same tensor as {first!r} (a shared or tied module), so '
            'it would be in two parameter groups; set bypass_duplicate=True to optimize it once '
            'with the settings of the first name',
            self.paramwise_key_path,
        )

    def match_custom_key(self, full_name: str) -> CustomKey | None:
        """The custom key that applies to ``full_name``: the longest substring match."""
        for custom in self.options.custom_keys:
            if custom.key in full_name:
                self._matched_keys.add(custom.key)
                return custom
        return None

    def add_params(
        self,
        params: list[dict[str, Any]],
        module: nn.Module,
        prefix: str = '',
        is_dcn_module: bool | None = None,
    ) -> None:
        """The reference's API: append one ``{'params': [p], 'lr': ..., 'weight_decay': ...}``
        per parameter of ``module`` and its descendants to ``params``."""
        if not hasattr(self, '_rules'):
            self.start_collecting()
        start = len(self._rules.params)
        self.collect_settings(module, prefix, bool(is_dcn_module))
        for param, settings in zip(self._rules.params[start:], self._rules.settings[start:]):
            params.append(settings.group([param]))

    def collect_settings(self, module: nn.Module, prefix: str = '', in_dcn: bool = False) -> None:
        """Decide the settings of every parameter of ``module`` and its descendants and record
        them (with their names) in the rules, in the reference's order: a module's own
        parameters, then each child's subtree in registration order.

        Settings are computed once per situation (custom key, or the facts the type rules look
        at) and reused: this loop is most of the construction time of large models.
        """
        seen, cache, rules = self._seen, self._settings_cache, self._rules
        names, tensors, chosen = rules.names, rules.params, rules.settings
        match = self.match_custom_key if self.options.custom_keys else None
        for current, path, current_in_dcn in walk_modules(module, prefix, in_dcn):
            own = current._parameters
            if not own:
                continue
            facts = (
                is_norm(current),
                is_depthwise_conv(current),
                current_in_dcn,
                current_in_dcn and 'conv_offset' in path and isinstance(current, nn.Conv2d),
            )
            for name, param in own.items():
                if param is None:
                    continue
                full_name = f'{path}.{name}'  # top-level names get a leading dot (reference)
                display = full_name if path else name
                identity = id(param)
                if identity in seen and self._skip_duplicate(param, display):
                    continue
                seen[identity] = display
                custom = match(full_name) if match is not None else None
                if custom is not None:
                    cache_key: Any = custom.key
                else:
                    cache_key = (name == 'bias', param.ndim == 1, *facts)
                settings = cache.get(cache_key)
                if settings is None:
                    settings = cache[cache_key] = self.settings_for(custom, cache_key)
                names.append(display)
                tensors.append(param)
                chosen.append(settings)

    def settings_for(self, custom: CustomKey | None, facts: tuple[bool, ...]) -> Settings:
        """Settings for a parameter matched by ``custom``, or else in situation ``facts``
        (``is_bias, is_flat, in_norm, in_depthwise_conv, in_dcn, is_dcn_offset``)."""
        if custom is not None:
            return custom_key_settings(custom, self.base)
        is_bias, is_flat, norm, depthwise, in_dcn, dcn_offset = facts
        situation = Situation(is_bias, norm, depthwise, in_dcn, is_flat, dcn_offset)
        return rule_settings(self.options, self.base, situation)
