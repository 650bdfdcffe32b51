"""Parameter schedulers (``cadence.optim.scheduler``, also importable from ``cadence.optim``).

Every family of the reference (Constant, Linear, Step, MultiStep, Exponential, CosineAnnealing,
Poly, CosineRestart, OneCycle, ReduceOnPlateau) as ``XParamScheduler`` (any param-group key),
``XLR`` and ``XMomentum``, plus mmpretrain's ``CosineAnnealingWeightDecay``. Values come from
closed forms (:mod:`.curves`), so any step can be computed without stepping, resume is exact and
the schedule preview agrees with training bit for bit.

The Runner's side: :func:`build_param_schedulers`, the stepping functions the
``ParamSchedulerHook`` calls, and :func:`restore_schedulers` for resume.
"""

from .base import ParamScheduler
from .builder import build_param_schedulers, build_scheduler_from_cfg
from .constant import ConstantLR, ConstantMomentum, ConstantParamScheduler
from .cosine import (
    CosineAnnealingLR,
    CosineAnnealingMomentum,
    CosineAnnealingParamScheduler,
    CosineRestartLR,
    CosineRestartMomentum,
    CosineRestartParamScheduler,
)
from .curve_scheduler import CurveScheduler
from .curves import INF
from .exponential import ExponentialLR, ExponentialMomentum, ExponentialParamScheduler
from .linear import LinearLR, LinearMomentum, LinearParamScheduler
from .one_cycle import OneCycleLR, OneCycleParamScheduler
from .plateau import ReduceOnPlateauLR, ReduceOnPlateauMomentum, ReduceOnPlateauParamScheduler
from .poly import PolyLR, PolyMomentum, PolyParamScheduler
from .preview import ScheduleValues, schedule_values
from .resume import restore_schedulers
from .step import (
    MultiStepLR,
    MultiStepMomentum,
    MultiStepParamScheduler,
    StepLR,
    StepMomentum,
    StepParamScheduler,
)
from .stepping import step_after_train_epoch, step_after_train_iter, step_after_val_epoch
from .variants import MomentumSchedulerMixin
from .weight_decay import CosineAnnealingWeightDecay

#: The reference's name for the base class (custom schedulers subclass it).
_ParamScheduler = ParamScheduler

__all__ = [
    'INF',
    'ConstantLR',
    'ConstantMomentum',
    'ConstantParamScheduler',
    'CosineAnnealingLR',
    'CosineAnnealingMomentum',
    'CosineAnnealingParamScheduler',
    'CosineAnnealingWeightDecay',
    'CosineRestartLR',
    'CosineRestartMomentum',
    'CosineRestartParamScheduler',
    'CurveScheduler',
    'ExponentialLR',
    'ExponentialMomentum',
    'ExponentialParamScheduler',
    'LinearLR',
    'LinearMomentum',
    'LinearParamScheduler',
    'MomentumSchedulerMixin',
    'MultiStepLR',
    'MultiStepMomentum',
    'MultiStepParamScheduler',
    'OneCycleLR',
    'OneCycleParamScheduler',
    'ParamScheduler',
    'PolyLR',
    'PolyMomentum',
    'PolyParamScheduler',
    'ReduceOnPlateauLR',
    'ReduceOnPlateauMomentum',
    'ReduceOnPlateauParamScheduler',
    'ScheduleValues',
    'StepLR',
    'StepMomentum',
    'StepParamScheduler',
    '_ParamScheduler',
    'build_param_schedulers',
    'build_scheduler_from_cfg',
    'restore_schedulers',
    'schedule_values',
    'step_after_train_epoch',
    'step_after_train_iter',
    'step_after_val_epoch',
]
