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

import torch
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
from .module_kinds import is_norm
from .param_groups import ParamRules
from .paramwise_options import DEFAULT_OPTIONS

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
        self._lr_rules: dict[tuple[int, int], str] = {}
        groups, rules = super().build_param_groups(model)
        rules.notes.append(f'layer ids: {source}; layer_decay_rate={self.layer_decay_rate}')
        if self.ignored_options:
            rules.notes.append('ignored by layer decay: ' + ', '.join(self.ignored_options))
        return groups, rules

    def add_params(
        self,
        params: list[dict[str, Any]],
        module: nn.Module,
        prefix: str = '',
        is_dcn_module: bool | None = None,
    ) -> None:
        """One group per parameter: lr from the layer id, weight decay from the rules."""
        base_lr, rate = self.base_lr, self.layer_decay_rate
        norm = is_norm(module)
        for name, param in module.named_parameters(recurse=False):
            full_name = f'{prefix}.{name}' if prefix else name
            if self._check_duplicate(param, full_name):
                continue
            layer_id, num_layers = self._layer_depth(full_name)
            scale = rate ** (num_layers - layer_id - 1)
            group: dict[str, Any] = {'params': [param], 'lr_scale': scale}
            if base_lr is not None:
                group['lr'] = base_lr * scale
            lr_rule = self._lr_rule(layer_id, num_layers)
            weight_decay, wd_rule = self._weight_decay(full_name, name, param, norm, group)
            if weight_decay is not None:
                group['weight_decay'] = weight_decay
            params.append(group)
            self._rules.add(full_name, param, lr_rule, wd_rule)
        for child_name, child in module.named_children():
            child_prefix = f'{prefix}.{child_name}' if prefix else child_name
            self.add_params(params, child, child_prefix)

    def _lr_rule(self, layer_id: int, num_layers: int) -> str:
        key = (layer_id, num_layers)
        rule = self._lr_rules.get(key)
        if rule is None:
            exponent = num_layers - layer_id - 1
            rule = self._lr_rules[key] = (
                f'layer {layer_id} of {num_layers}: {self.lr_source} × '
                f'{self.layer_decay_rate} ** {exponent}'
            )
        return rule

    def _weight_decay(
        self,
        full_name: str,
        name: str,
        param: torch.Tensor,
        norm: bool,
        group: dict[str, Any],
    ) -> tuple[float | None, str]:
        """MMPretrain's precedence: custom key, norm, bias (not of norm layers), 1-D."""
        base_wd, options = self.base_wd, self.options
        custom = self.match_custom_key(full_name)
        if custom is not None:
            group.update(custom.extras)
        if base_wd is None:
            return None, self.wd_source
        if custom is not None:
            multiplier = custom.decay_mult if custom.decay_mult is not None else 1
            return base_wd * multiplier, custom.wd_rule
        if norm and options.norm_decay_mult is not None:
            return base_wd * options.norm_decay_mult, options.rules['norm_decay_mult']
        if name == 'bias' and not norm and options.bias_decay_mult is not None:
            return base_wd * options.bias_decay_mult, options.rules['bias_decay_mult']
        if param.ndim == 1 and options.flat_decay_mult is not None:
            return base_wd * options.flat_decay_mult, options.rules['flat_decay_mult']
        return base_wd, self.wd_source
