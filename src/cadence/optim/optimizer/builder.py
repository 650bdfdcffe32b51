"""``build_optim_wrapper(model, cfg)``: an ``optim_wrapper`` config to a ready optimizer wrapper."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from torch import nn

from ...errors import ConfigError, short_repr
from ...registry import OPTIM_WRAPPER_CONSTRUCTORS
from .config_paths import key_path_of
from .optimizer_wrapper import OptimWrapper
from .optimizer_wrapper_dict import OptimWrapperDict

DEFAULT_CONSTRUCTOR = 'DefaultOptimWrapperConstructor'


def build_optim_wrapper(model: nn.Module, cfg: Mapping[str, Any]) -> Any:
    """Build an optimizer wrapper for ``model`` from an ``optim_wrapper`` config.

    ``cfg['constructor']`` (default ``'DefaultOptimWrapperConstructor'``) may be a registered
    name, a scoped name (``'mmselfsup.LearningRateDecayOptimWrapperConstructor'``), a class, or
    a dict with a ``type`` and extra constructor arguments. ``cfg['paramwise_cfg']`` goes to the
    constructor; everything else (``optimizer``, ``type``, ``clip_grad``, ...) is the
    constructor's ``optim_wrapper_cfg``. ``cfg`` is not modified. An already built wrapper is
    returned as is.
    """
    if isinstance(cfg, (OptimWrapper, OptimWrapperDict)):
        return cfg
    key_path = key_path_of(cfg) or 'optim_wrapper'
    if not isinstance(cfg, Mapping):
        raise ConfigError(
            'must be a dict such as dict(optimizer=dict(type="SGD", lr=0.01)), got '
            f'{short_repr(cfg)}',
            key_path,
        )
    cfg = copy.deepcopy(cfg)
    constructor = cfg.pop('constructor', DEFAULT_CONSTRUCTOR)
    paramwise_cfg = cfg.pop('paramwise_cfg', None)
    if isinstance(constructor, Mapping):
        constructor_cfg = dict(constructor)
        if 'type' not in constructor_cfg:
            raise ConfigError(
                "a constructor dict needs a 'type', e.g. constructor=dict(type="
                "'MyOptimWrapperConstructor')",
                f'{key_path}.constructor',
            )
    else:
        constructor_cfg = {'type': constructor}
    constructor_cfg['optim_wrapper_cfg'] = cfg
    constructor_cfg['paramwise_cfg'] = paramwise_cfg
    built = OPTIM_WRAPPER_CONSTRUCTORS.build(constructor_cfg, key_path=f'{key_path}.constructor')
    if not callable(built):
        raise ConfigError(
            f'{type(built).__name__} is not callable; an optimizer wrapper constructor is '
            'called with the model and returns the wrapper (define __call__(self, model))',
            f'{key_path}.constructor',
        )
    return built(model)
