"""Constant factor schedulers: ``ConstantParamScheduler``, ``ConstantLR``, ``ConstantMomentum``."""

from __future__ import annotations

from typing import Any

from ...registry import PARAM_SCHEDULERS
from .curve_scheduler import CurveScheduler
from .curves import INF, ConstantCurve, Curve, window_length
from .validation import check_real
from .variants import MomentumSchedulerMixin, with_param_name


@PARAM_SCHEDULERS.register_module()
class ConstantParamScheduler(CurveScheduler):
    """Multiply the value by ``factor`` on steps ``begin .. end-2``; restore it at ``end-1``.

    Args:
        factor: In ``[0, 1]``; 0 works (the reference divides by it).
        begin, end, last_step, by_epoch, verbose: See :class:`~.base.ParamScheduler`.
    """

    hparam_names = ('factor',)

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        factor: float = 1.0 / 3,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self.factor = check_real('factor', factor, low=0, high=1)
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _build_curve(self) -> Curve:
        return ConstantCurve(self.factor, window_length(self.begin, self.end))


@PARAM_SCHEDULERS.register_module()
@with_param_name('lr')
class ConstantLR(ConstantParamScheduler):
    """:class:`ConstantParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
@with_param_name('momentum')
class ConstantMomentum(MomentumSchedulerMixin, ConstantParamScheduler):
    """:class:`ConstantParamScheduler` on momentum (``betas[0]`` for Adam-family optimizers)."""
