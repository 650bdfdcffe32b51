"""Pure closed forms of the schedule families, one family per module (no optimizer, no state).

The stateful schedulers in :mod:`cadence.optim.scheduler` are thin wrappers around these; the
schedule preview evaluates them directly over whole ranges of steps.
"""

from .base import INF, Carry, Curve, window_length
from .constant import ConstantCurve
from .cosine import CosineCurve, CosineRestartCurve, cosine_factor
from .exponential import ExponentialCurve
from .linear import LinearCurve
from .one_cycle import OneCycleCurve
from .poly import PolyCurve
from .step import MultiStepCurve, StepCurve

__all__ = [
    'INF',
    'Carry',
    'ConstantCurve',
    'CosineCurve',
    'CosineRestartCurve',
    'Curve',
    'ExponentialCurve',
    'LinearCurve',
    'MultiStepCurve',
    'OneCycleCurve',
    'PolyCurve',
    'StepCurve',
    'cosine_factor',
    'window_length',
]
