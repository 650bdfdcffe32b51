"""Linear factor schedulers (warm-up): ``LinearParamScheduler``, ``LinearLR``, ...."""

from __future__ import annotations

from typing import Any

from ...registry import PARAM_SCHEDULERS
from .curve_scheduler import CurveScheduler
from .curves import INF, Curve, LinearCurve, window_length
from .validation import check_real
from .variants import MomentumSchedulerMixin, with_param_name


@PARAM_SCHEDULERS.register_module()
class LinearParamScheduler(CurveScheduler):
    """Scale the value linearly from ``start_factor`` at ``begin`` to ``end_factor`` at ``end-1``.

    Args:
        start_factor: In ``[0, 1]``; 0 works (a warm-up from zero; the reference divides by it).
        end_factor: In ``[0, 1]``.
        begin, end, last_step, by_epoch, verbose: See :class:`~.base.ParamScheduler`.
    """

    hparam_names = ('start_factor', 'end_factor')

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self.start_factor = check_real('start_factor', start_factor, low=0, high=1)
        self.end_factor = check_real('end_factor', end_factor, low=0, high=1)
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _build_curve(self) -> Curve:
        return LinearCurve(self.start_factor, self.end_factor, window_length(self.begin, self.end))


@PARAM_SCHEDULERS.register_module()
@with_param_name('lr')
class LinearLR(LinearParamScheduler):
    """:class:`LinearParamScheduler` on the learning rate (the usual warm-up)."""


@PARAM_SCHEDULERS.register_module()
@with_param_name('momentum')
class LinearMomentum(MomentumSchedulerMixin, LinearParamScheduler):
    """:class:`LinearParamScheduler` on momentum (``betas[0]`` for Adam-family optimizers)."""
