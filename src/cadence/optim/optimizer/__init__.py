"""Optimizers, optimizer wrappers and their constructors (``cadence.optim``).

Importing this package registers every torch optimizer, ``LARS``, the wrappers and the
constructors in their registries, so configs can name them.
"""

from . import torch_optimizers  # noqa: F401  (registers torch's optimizers)
from .amp_optimizer_wrapper import AmpOptimWrapper
from .builder import build_optim_wrapper
from .default_constructor import DefaultOptimWrapperConstructor
from .lars import LARS
from .layer_decay_constructor import LearningRateDecayOptimWrapperConstructor
from .nonfinite import NonFiniteLossError, check_logged_losses
from .optimizer_wrapper import OptimWrapper
from .optimizer_wrapper_dict import OptimWrapperDict
from .param_groups import ParamRules, merge_param_groups
from .report import ParamGroupReport, format_param_group_report, param_group_report

__all__ = [
    'LARS',
    'AmpOptimWrapper',
    'DefaultOptimWrapperConstructor',
    'LearningRateDecayOptimWrapperConstructor',
    'NonFiniteLossError',
    'OptimWrapper',
    'OptimWrapperDict',
    'ParamGroupReport',
    'ParamRules',
    'build_optim_wrapper',
    'check_logged_losses',
    'format_param_group_report',
    'merge_param_groups',
    'param_group_report',
]
