"""The root registries (scope ``cadence``), one per kind of buildable thing.

Each lists the modules that fill it, imported on first lookup, so ``import cadence.registry`` stays
cheap and a config can name any built-in class without importing anything by hand.
"""

from typing import Any

from .default_scope import ROOT_SCOPE
from .registry import Registry


def _root(name: str, **kwargs: Any) -> Registry:
    return Registry(name, scope=ROOT_SCOPE, **kwargs)


RUNNERS = _root('runner', locations=['cadence.runner'])
LOOPS = _root('loop', locations=['cadence.runner'])
HOOKS = _root('hook', locations=['cadence.hooks'])

DATASETS = _root('dataset', locations=['cadence.dataset'])
DATA_SAMPLERS = _root('data sampler', locations=['cadence.dataset'])
TRANSFORMS = _root('transform', locations=['cadence.dataset'])
FUNCTIONS = _root('function', locations=['cadence.dataset'])

MODELS = _root('model', locations=['cadence.model'])
MODEL_WRAPPERS = _root('model wrapper', locations=['cadence.model'])

OPTIMIZERS = _root('optimizer', locations=['cadence.optim'])
OPTIM_WRAPPERS = _root('optim wrapper', locations=['cadence.optim'])
OPTIM_WRAPPER_CONSTRUCTORS = _root('optim wrapper constructor', locations=['cadence.optim'])
PARAM_SCHEDULERS = _root(
    'parameter scheduler',
    build_func='cadence.optim.scheduler.builder:build_scheduler_from_cfg',
    locations=['cadence.optim'],
)

METRICS = _root('metric', locations=['cadence.evaluator'])
EVALUATOR = _root('evaluator', locations=['cadence.evaluator'])

LOG_PROCESSORS = _root('log processor', locations=['cadence.logging'])
VISBACKENDS = _root('vis backend', locations=['cadence.logging'])
VISUALIZERS = _root('visualizer', locations=['cadence.logging'])

ROOT_REGISTRIES = {
    'RUNNERS': RUNNERS,
    'LOOPS': LOOPS,
    'HOOKS': HOOKS,
    'DATASETS': DATASETS,
    'DATA_SAMPLERS': DATA_SAMPLERS,
    'TRANSFORMS': TRANSFORMS,
    'FUNCTIONS': FUNCTIONS,
    'MODELS': MODELS,
    'MODEL_WRAPPERS': MODEL_WRAPPERS,
    'OPTIMIZERS': OPTIMIZERS,
    'OPTIM_WRAPPERS': OPTIM_WRAPPERS,
    'OPTIM_WRAPPER_CONSTRUCTORS': OPTIM_WRAPPER_CONSTRUCTORS,
    'PARAM_SCHEDULERS': PARAM_SCHEDULERS,
    'METRICS': METRICS,
    'EVALUATOR': EVALUATOR,
    'LOG_PROCESSORS': LOG_PROCESSORS,
    'VISBACKENDS': VISBACKENDS,
    'VISUALIZERS': VISUALIZERS,
}
