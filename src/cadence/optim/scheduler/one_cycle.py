"""The 1cycle policy: ``OneCycleParamScheduler`` and ``OneCycleLR``."""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from ...registry import PARAM_SCHEDULERS
from .base import real_group_count
from .curve_scheduler import CurveScheduler
from .curves import INF, Curve, OneCycleCurve
from .validation import check_bool, check_choice, check_real, check_whole, per_group
from .variants import with_param_name


@PARAM_SCHEDULERS.register_module()
class OneCycleParamScheduler(CurveScheduler):
    """Rise from ``eta_max / div_factor`` to ``eta_max``, then anneal to a much lower minimum.

    Unlike the reference, nothing is written into the param groups besides the scheduled value
    (the reference overwrites ``initial_lr`` and adds ``max_lr``/``min_lr``, changing the base of
    other schedulers), the schedule ends after ``total_steps`` steps and then holds its final
    value (the reference extrapolates one step and then raises), and ``pct_start`` may be any
    number in ``[0, 1]``.

    Args:
        eta_max: The peak: one number, or one per param group. Required.
        total_steps: Steps of the cycle (default ``end - begin``).
        pct_start: Fraction of the cycle spent rising.
        anneal_strategy: ``'cos'`` or ``'linear'``.
        div_factor: The start is ``eta_max / div_factor``.
        final_div_factor: The minimum is ``start / final_div_factor``.
        three_phase: Rise, fall back to the start, then anneal to the minimum.
        begin, end, last_step, by_epoch, verbose: See :class:`~.base.ParamScheduler`.
    """

    hparam_names = (
        'eta_max',
        'total_steps',
        'pct_start',
        'anneal_strategy',
        'div_factor',
        'final_div_factor',
        'three_phase',
    )

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        eta_max: float | list[float] | None = None,
        total_steps: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = 'cos',
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        if eta_max is None:
            raise ConfigError(
                'eta_max (the peak value of the cycle, e.g. eta_max=0.1) is required; the '
                "reference's default of 0 would keep the value at 0"
            )
        self.eta_max = eta_max
        self._total_steps_arg = (
            None if total_steps is None else check_whole('total_steps', total_steps, low=1)
        )
        self.pct_start = check_real('pct_start', pct_start, low=0, high=1)
        self.anneal_strategy = check_choice('anneal_strategy', anneal_strategy, ('cos', 'linear'))
        self.div_factor = check_real('div_factor', div_factor, low=0, low_open=True)
        self.final_div_factor = check_real(
            'final_div_factor', final_div_factor, low=0, low_open=True
        )
        self.three_phase = check_bool('three_phase', three_phase)
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _build_curve(self) -> Curve:
        total = self._total_steps_arg
        if total is None:
            if self.end >= INF:
                raise ConfigError(
                    'the cycle needs a length: set total_steps, or end (the Runner sets end to '
                    'the end of training when it is not given)'
                )
            total = self.end - self.begin
        self.total_steps = total
        return OneCycleCurve(
            total,
            self.pct_start,
            self.anneal_strategy,
            self.div_factor,
            self.final_div_factor,
            self.three_phase,
        )

    def _curve_bases(self) -> list[float]:
        groups = self.optimizer.param_groups
        return per_group('eta_max', self.eta_max, real_group_count(self.optimizer), len(groups))

    @classmethod
    def _scale_to_iters(cls, args: dict[str, Any], epoch_length: int) -> dict[str, Any]:
        if args.get('total_steps') is not None:
            args['total_steps'] = check_real('total_steps', args['total_steps'], low=0) * (
                epoch_length
            )
        return args


@PARAM_SCHEDULERS.register_module()
@with_param_name('lr')
class OneCycleLR(OneCycleParamScheduler):
    """:class:`OneCycleParamScheduler` on the learning rate."""
