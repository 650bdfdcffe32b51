"""Exponential decay schedulers: ``ExponentialParamScheduler``, ``ExponentialLR``, ..."""

from __future__ import annotations

from typing import Any

from ...registry import PARAM_SCHEDULERS
from .curve_scheduler import CurveScheduler
from .curves import INF, Curve, ExponentialCurve
from .validation import check_real
from .variants import MomentumSchedulerMixin, with_param_name


@PARAM_SCHEDULERS.register_module()
class ExponentialParamScheduler(CurveScheduler):
    """Multiply the value by ``gamma`` every step.

    Converted to iterations (``convert_to_iter_based=True`` / :meth:`build_iter_from_epoch`)
    it multiplies by ``gamma ** (1 / epoch_length)`` per iteration, so the iteration curve
    follows the epoch curve (the reference keeps ``gamma`` per iteration).

    Args:
        gamma: Multiplicative factor per step, > 0.
        begin, end, last_step, by_epoch, verbose: See :class:`~.base.ParamScheduler`.
    """

    hparam_names = ('gamma',)

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        gamma: float,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self.gamma = check_real('gamma', gamma, low=0, low_open=True)
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _build_curve(self) -> Curve:
        return ExponentialCurve(self.gamma)

    @classmethod
    def _scale_to_iters(cls, args: dict[str, Any], epoch_length: int) -> dict[str, Any]:
        if 'gamma' in args:
            args['gamma'] = check_real('gamma', args['gamma'], low=0, low_open=True) ** (
                1.0 / epoch_length
            )
        return args


@PARAM_SCHEDULERS.register_module()
@with_param_name('lr')
class ExponentialLR(ExponentialParamScheduler):
    """:class:`ExponentialParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
@with_param_name('momentum')
class ExponentialMomentum(MomentumSchedulerMixin, ExponentialParamScheduler):
    """:class:`ExponentialParamScheduler` on momentum (``betas[0]`` for Adam-family optimizers)."""
