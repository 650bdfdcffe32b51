"""Cosine schedulers: ``CosineAnnealing*`` (one half-cosine) and ``CosineRestart*`` (periods)."""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError, short_repr
from ...registry import PARAM_SCHEDULERS
from .curve_scheduler import CurveScheduler
from .curves import INF, CosineCurve, CosineRestartCurve, Curve
from .validation import check_real, check_whole
from .variants import MomentumSchedulerMixin, with_param_name


@PARAM_SCHEDULERS.register_module()
class CosineAnnealingParamScheduler(CurveScheduler):
    """Anneal from the start value to ``eta_min`` along half a cosine of ``T_max`` steps.

    Reference behaviour, kept: ``T_max`` defaults to ``end - begin``, one step more than the
    window, so the value never quite reaches ``eta_min``; with a window longer than ``T_max``
    the value rises again (period ``2 * T_max``).

    Args:
        T_max: Steps of the half cosine (default ``end - begin``).
        eta_min: Final value (default 0 unless ``eta_min_ratio`` is set).
        eta_min_ratio: Final value as a fraction of each group's base value.
        begin, end, last_step, by_epoch, verbose: See :class:`~.base.ParamScheduler`.
    """

    hparam_names = ('T_max', 'eta_min', 'eta_min_ratio')

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        T_max: int | None = None,
        eta_min: float | None = None,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
        eta_min_ratio: float | None = None,
    ) -> None:
        if eta_min is not None and eta_min_ratio is not None:
            raise ConfigError(
                f'give eta_min or eta_min_ratio, not both (got eta_min={eta_min!r}, '
                f'eta_min_ratio={eta_min_ratio!r})'
            )
        if T_max is not None:
            check_real('T_max', T_max, low=0, low_open=True)
        self.eta_min = None if eta_min is None else check_real('eta_min', eta_min)
        self.eta_min_ratio = (
            None if eta_min_ratio is None else check_real('eta_min_ratio', eta_min_ratio, low=0)
        )
        if self.eta_min is None and self.eta_min_ratio is None:
            self.eta_min = 0.0
        self._T_max_arg = T_max
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _build_curve(self) -> Curve:
        self.T_max = self._T_max_arg if self._T_max_arg is not None else self.end - self.begin
        return CosineCurve(self.T_max, self.eta_min, self.eta_min_ratio)

    @classmethod
    def _scale_to_iters(cls, args: dict[str, Any], epoch_length: int) -> dict[str, Any]:
        if args.get('T_max') is not None:
            args['T_max'] = check_real('T_max', args['T_max'], low=0, low_open=True) * epoch_length
        return args


@PARAM_SCHEDULERS.register_module()
@with_param_name('lr')
class CosineAnnealingLR(CosineAnnealingParamScheduler):
    """:class:`CosineAnnealingParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
@with_param_name('momentum')
class CosineAnnealingMomentum(MomentumSchedulerMixin, CosineAnnealingParamScheduler):
    """:class:`CosineAnnealingParamScheduler` on momentum (``betas[0]`` for Adam-family
    optimizers)."""


@PARAM_SCHEDULERS.register_module()
class CosineRestartParamScheduler(CurveScheduler):
    """Cosine annealing in periods, each restarting from ``base * restart_weights[i]``.

    After the last period the value is held.

    Args:
        periods: Length of each period, positive whole numbers.
        restart_weights: One weight per period.
        eta_min: Final value of each period; or
        eta_min_ratio: the final value as a fraction of each group's base value (exactly one).
        begin, end, last_step, by_epoch, verbose: See :class:`~.base.ParamScheduler`.
    """

    hparam_names = ('periods', 'restart_weights', 'eta_min', 'eta_min_ratio')

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        periods: list[int],
        restart_weights: list[float] = (1,),  # type: ignore[assignment]
        eta_min: float | None = None,
        eta_min_ratio: float | None = None,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        if (eta_min is None) == (eta_min_ratio is None):
            raise ConfigError(
                'give exactly one of eta_min (a value) or eta_min_ratio (a fraction of the base '
                f'value), got eta_min={eta_min!r}, eta_min_ratio={eta_min_ratio!r}'
            )
        if not isinstance(periods, (list, tuple)) or not periods:
            raise ConfigError(
                f'periods must be a non-empty list of steps, got {short_repr(periods)}'
            )
        self.periods = [check_whole('periods', p, low=1) for p in periods]
        if not isinstance(restart_weights, (list, tuple)):
            raise ConfigError(f'restart_weights must be a list, got {short_repr(restart_weights)}')
        if len(restart_weights) != len(self.periods):
            raise ConfigError(
                f'restart_weights needs one weight per period: {len(self.periods)} periods, '
                f'{len(restart_weights)} weights ({short_repr(list(restart_weights))})'
            )
        self.restart_weights = [check_real('restart_weights', w, low=0) for w in restart_weights]
        self.eta_min = None if eta_min is None else check_real('eta_min', eta_min)
        self.eta_min_ratio = (
            None if eta_min_ratio is None else check_real('eta_min_ratio', eta_min_ratio, low=0)
        )
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _build_curve(self) -> Curve:
        return CosineRestartCurve(
            tuple(self.periods), tuple(self.restart_weights), self.eta_min, self.eta_min_ratio
        )

    @classmethod
    def _scale_to_iters(cls, args: dict[str, Any], epoch_length: int) -> dict[str, Any]:
        periods = args.get('periods')
        if isinstance(periods, (list, tuple)):
            args['periods'] = [check_whole('periods', p, low=1) * epoch_length for p in periods]
        return args


@PARAM_SCHEDULERS.register_module()
@with_param_name('lr')
class CosineRestartLR(CosineRestartParamScheduler):
    """:class:`CosineRestartParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
@with_param_name('momentum')
class CosineRestartMomentum(MomentumSchedulerMixin, CosineRestartParamScheduler):
    """:class:`CosineRestartParamScheduler` on momentum (``betas[0]`` for Adam-family
    optimizers)."""
