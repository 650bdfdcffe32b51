"""``LearningRateDecayOptimWrapperConstructor``: layer-wise learning-rate decay.

``lr = optimizer.lr × layer_decay_rate ** (num_layers - layer_id - 1)`` per parameter. Two
config styles are accepted:

- MMPretrain's: ``paramwise_cfg=dict(layer_decay_rate=0.65, ...)``; layer ids come from the
  model's ``get_layer_depth(name) -> (layer_id, num_layers)``.
- MMSelfSup's: ``optimizer=dict(type='AdamW', ..., model_type='vit'|'swin'|'mixmim',
  layer_decay_rate=0.65)`` with
  ``constructor='mmselfsup.LearningRateDecayOptimWrapperConstructor'``.

Beyond the reference, a model without ``get_layer_depth`` (and no ``model_type``) gets ids
inferred from its parameter names (:func:`~.layer_ids.infer_layer_depth`), and an optimizer
without ``weight_decay`` works (MMPretrain's raises ``KeyError``). Weight decay follows
MMPretrain's rules in both styles: a custom key's ``decay_mult`` (longest key wins), else
``norm_decay_mult`` for norm layers, ``bias_decay_mult`` for other biases, ``flat_decay_mult``
for 1-D parameters. (MMSelfSup ignores those three options although its documentation shows
them, lets the *shortest* custom key win and gives a group the weight decay of its first member;
Cadence does what the documentation says, per parameter.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

from ...errors import ConfigError, short_repr, suggestion_text
from ...logging import get_logger
from ...registry import OPTIM_WRAPPER_CONSTRUCTORS
from .default_constructor import DefaultOptimWrapperConstructor
from .layer_ids import (
    LayerDepth,
    convnext_layer_depth,
    infer_layer_depth,
    selfsup_mixmim_layer_depth,
    selfsup_swin_layer_depth,
    selfsup_vit_layer_depth,
)
from .module_kinds import is_norm, walk_modules
from .param_groups import ParamRules
from .paramwise_options import DEFAULT_OPTIONS, CustomKey
from .paramwise_rules import Settings, Situation, layer_decay_weight_decay

MODEL_TYPES = ('vit', 'swin', 'mixmim', 'convnext')
#: Options of the default constructor that layer decay does not use (as in the reference).
IGNORED_OPTIONS = ('bias_lr_mult', 'dwconv_decay_mult', 'dcn_offset_lr_mult')


def _rate(value: Any, key_path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(
            f'must be a number > 0 (usually 0.5-0.9), got {short_repr(value)}', key_path
        )
    return float(value)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LearningRateDecayOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Layer-wise lr decay for transformers and ConvNeXt (see the module docstring)."""

    paramwise_options = (*DEFAULT_OPTIONS, 'layer_decay_rate')
    strict_paramwise_cfg = True

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: dict | None = None) -> None:
        super().__init__(optim_wrapper_cfg, paramwise_cfg)
        optimizer_cfg = dict(self.optimizer_cfg)
        self.model_type = optimizer_cfg.pop('model_type', None)
        optimizer_rate = optimizer_cfg.pop('layer_decay_rate', None)
        self.optimizer_cfg = optimizer_cfg
        paramwise_rate = self.paramwise_cfg.get('layer_decay_rate')
        if optimizer_rate is not None and paramwise_rate is not None:
            raise ConfigError(
                'layer_decay_rate is set both in optimizer (MMSelfSup style) and in '
                'paramwise_cfg (MMPretrain style); keep one',
                f'{self.optimizer_key_path}.layer_decay_rate',
            )
        if optimizer_rate is not None:
            where = f'{self.optimizer_key_path}.layer_decay_rate'
        else:
            where = f'{self.paramwise_key_path}.layer_decay_rate'
        rate = optimizer_rate if optimizer_rate is not None else paramwise_rate
        self.layer_decay_rate = 1.0 if rate is None else _rate(rate, where)
        if self.model_type is not None and self.model_type not in MODEL_TYPES:
            raise ConfigError(
                f'model_type={self.model_type!r} has no layer-id rule; use one of '
                f"{', '.join(repr(t) for t in MODEL_TYPES)}, or leave it out to use the model's "
                'get_layer_depth (or ids inferred from parameter names).'
                f'{suggestion_text(str(self.model_type), MODEL_TYPES)}',
                f'{self.optimizer_key_path}.model_type',
            )
        ignored = [name for name in IGNORED_OPTIONS if self.paramwise_cfg.get(name) is not None]
        if any(c.lr_mult is not None for c in self.options.custom_keys):
            ignored.append('custom_keys[...].lr_mult')
        self.ignored_options = ignored
        if ignored:
            get_logger().warning(
                '%s: %s ignored by layer-wise lr decay (the lr comes from the layer id only).',
                self.paramwise_key_path,
                ', '.join(ignored),
            )

    def reference_ignores_flat_decay(self) -> bool:
        """The reference's layer decay fails without ``weight_decay``; nothing to mirror."""
        return False

    def wants_param_groups(self) -> bool:
        """Always build per-parameter settings, even without ``paramwise_cfg``."""
        return True

    # -- layer ids -----------------------------------------------------------------------------

    def layer_depth_function(self, model: nn.Module) -> tuple[Callable[[str], LayerDepth], str]:
        """How this model's parameter names map to ``(layer_id, num_layers)``, and a note."""
        if self.model_type is not None:
            return self._model_type_function(model), f'model_type={self.model_type!r}'
        if callable(getattr(model, 'get_layer_depth', None)):
            return model.get_layer_depth, f'{type(model).__name__}.get_layer_depth'
        function, found = infer_layer_depth(name for name, _ in model.named_parameters())
        return function, f'inferred from parameter names: {found}'

    def _model_type_function(self, model: nn.Module) -> Callable[[str], LayerDepth]:
        backbone = getattr(model, 'backbone', None)
        names = [name for name, _ in model.named_parameters()]
        if self.model_type == 'vit':
            layers = getattr(backbone, 'layers', None)
            if layers is not None:
                num_blocks = len(layers)
            else:
                num_blocks = 1 + max(
                    (int(n.split('.')[2]) for n in names if n.startswith('backbone.layers.')),
                    default=-1,
                )
            return lambda name: selfsup_vit_layer_depth(name, num_blocks)
        depths = getattr(backbone, 'depths', None)
        if depths is None:
            depths = self._depths_from_names(names)
        depths = list(depths)
        if self.model_type == 'swin':
            return lambda name: selfsup_swin_layer_depth(name, depths)
        if self.model_type == 'mixmim':
            return lambda name: selfsup_mixmim_layer_depth(name, depths)
        return lambda name: convnext_layer_depth(name, depths)

    def _depths_from_names(self, names: list[str]) -> list[int]:
        container = 'stages' if self.model_type in ('swin', 'convnext') else 'layers'
        found: dict[int, int] = {}
        for name in names:
            parts = name.split('.')
            if len(parts) > 4 and parts[0] == 'backbone' and parts[1] == container:
                block = parts[4] if self.model_type != 'convnext' else parts[3]
                if parts[2].isdigit() and block.isdigit():
                    stage = int(parts[2])
                    found[stage] = max(found.get(stage, -1), int(block))
        if not found:
            raise ConfigError(
                f'model_type={self.model_type!r} needs backbone.depths, or parameter names '
                f'like backbone.{container}.S.blocks.B; this model has neither',
                f'{self.optimizer_key_path}.model_type',
            )
        return [found.get(s, -1) + 1 for s in range(max(found) + 1)]

    # -- per-parameter settings ----------------------------------------------------------------

    def build_param_groups(self, model: nn.Module) -> tuple[list[dict[str, Any]], ParamRules]:
        self._layer_depth, source = self.layer_depth_function(model)
        groups, rules = super().build_param_groups(model)
        rules.notes.append(f'layer ids: {source}; layer_decay_rate={self.layer_decay_rate}')
        if self.ignored_options:
            rules.notes.append('ignored by layer decay: ' + ', '.join(self.ignored_options))
        return groups, rules

    def collect_settings(self, module: nn.Module, prefix: str = '', in_dcn: bool = False) -> None:
        """Per parameter: lr from the layer id, weight decay from the rules."""
        seen, rules = self._seen, self._rules
        for current, path, _ in walk_modules(module, prefix):
            norm = is_norm(current)
            for name, param in current._parameters.items():
                if param is None:
                    continue
                full_name = f'{path}.{name}' if path else name
                if id(param) in seen and self._skip_duplicate(param, full_name):
                    continue
                seen[id(param)] = full_name
                depth = self._layer_depth(full_name)
                custom = self.match_custom_key(full_name) if self.options.custom_keys else None
                facts = (
                    custom.key if custom is not None else (name == 'bias', param.ndim == 1, norm)
                )
                settings = self._settings_cache.get((depth, facts))
                if settings is None:
                    settings = self._settings_cache[(depth, facts)] = self.layer_settings(
                        depth, custom, facts
                    )
                rules.names.append(full_name)
                rules.params.append(param)
                rules.settings.append(settings)

    def layer_settings(self, depth: LayerDepth, custom: CustomKey | None, facts: Any) -> Settings:
        """Settings of a parameter in layer ``depth`` with this custom key or these facts."""
        layer_id, num_layers = depth
        scale = self.layer_decay_rate ** (num_layers - layer_id - 1)
        lr = None if self.base_lr is None else self.base_lr * scale
        situation = None
        if custom is None:
            is_bias, is_flat, norm = facts
            situation = Situation(is_bias, norm, False, False, is_flat, False)
        weight_decay, wd_rule = layer_decay_weight_decay(self.options, self.base, custom, situation)
        extras = custom.extras if custom is not None else ()
        extras_key = custom.extras_key if custom is not None else ()
        lr_rule = (
            f'layer {layer_id} of {num_layers}: {self.lr_source} × '
            f'{self.layer_decay_rate} ** {num_layers - layer_id - 1}'
        )
        return Settings(
            lr,
            weight_decay,
            extras,
            lr_rule,
            wd_rule,
            key=(lr, weight_decay, scale, extras_key),
            more=(('lr_scale', scale),),
        )
