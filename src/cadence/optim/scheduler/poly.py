"""Polynomial decay schedulers: ``PolyParamScheduler``, ``PolyLR``, ``PolyMomentum``."""

from __future__ import annotations

from typing import Any

from ...registry import PARAM_SCHEDULERS
from .curve_scheduler import CurveScheduler
from .curves import INF, Curve, PolyCurve, window_length
from .validation import check_real
from .variants import MomentumSchedulerMixin, with_param_name


@PARAM_SCHEDULERS.register_module()
class PolyParamScheduler(CurveScheduler):
    """Decay from the start value to ``eta_min`` as ``(1 - t / (end - begin - 1)) ** power``.

    Args:
        eta_min: Value reached on the last step of the window.
        power: Exponent, >= 0.
        begin, end, last_step, by_epoch, verbose: See :class:`~.base.ParamScheduler`.
    """

    hparam_names = ('eta_min', 'power')

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        eta_min: float = 0,
        power: float = 1.0,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self.eta_min = check_real('eta_min', eta_min)
        self.power = check_real('power', power, low=0)
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _build_curve(self) -> Curve:
        return PolyCurve(self.eta_min, self.power, window_length(self.begin, self.end))


@PARAM_SCHEDULERS.register_module()
@with_param_name('lr')
class PolyLR(PolyParamScheduler):
    """:class:`PolyParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
@with_param_name('momentum')
class PolyMomentum(MomentumSchedulerMixin, PolyParamScheduler):
    """:class:`PolyParamScheduler` on momentum (``betas[0]`` for Adam-family optimizers)."""
