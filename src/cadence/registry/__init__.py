"""Registries: configs name classes by string (``type='SGD'``) and Cadence builds them.

``from cadence.registry import OPTIMIZERS`` gives the root optimizer registry; downstream packages
make child registries (``Registry('optimizer', parent=OPTIMIZERS)``) that see every root name.
"""

from .build import UnknownTypeError, build_from_cfg
from .default_scope import (
    REFERENCE_SCOPES,
    ROOT_SCOPE,
    get_default_scope,
    overwrite_default_scope,
    set_default_scope,
)
from .registry import Registry
from .root import (
    DATA_SAMPLERS,
    DATASETS,
    EVALUATOR,
    FUNCTIONS,
    HOOKS,
    LOG_PROCESSORS,
    LOOPS,
    METRICS,
    MODEL_WRAPPERS,
    MODELS,
    OPTIM_WRAPPER_CONSTRUCTORS,
    OPTIM_WRAPPERS,
    OPTIMIZERS,
    PARAM_SCHEDULERS,
    ROOT_REGISTRIES,
    RUNNERS,
    TRANSFORMS,
    VISBACKENDS,
    VISUALIZERS,
)

__all__ = [
    'DATASETS',
    'DATA_SAMPLERS',
    'EVALUATOR',
    'FUNCTIONS',
    'HOOKS',
    'LOG_PROCESSORS',
    'LOOPS',
    'METRICS',
    'MODELS',
    'MODEL_WRAPPERS',
    'OPTIMIZERS',
    'OPTIM_WRAPPERS',
    'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS',
    'REFERENCE_SCOPES',
    'ROOT_REGISTRIES',
    'ROOT_SCOPE',
    'RUNNERS',
    'TRANSFORMS',
    'VISBACKENDS',
    'VISUALIZERS',
    'Registry',
    'UnknownTypeError',
    'build_from_cfg',
    'get_default_scope',
    'overwrite_default_scope',
    'set_default_scope',
]
