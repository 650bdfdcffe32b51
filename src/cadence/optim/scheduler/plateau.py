"""``ReduceOnPlateau*``: reduce a value when a validation metric stops improving."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ...errors import ConfigError, short_repr, suggestion_text
from ...registry import PARAM_SCHEDULERS
from .base import ParamScheduler, real_group_count
from .curves import INF
from .validation import check_choice, check_real, check_whole, per_group
from .variants import MomentumSchedulerMixin, with_param_name


class MissingMetricError(ConfigError, KeyError):
    """The monitored metric is not among the validation results (a ``KeyError`` too)."""

    def __str__(self) -> str:
        return ConfigError.__str__(self)


def is_better(value: float, best: float, rule: str, threshold_rule: str, threshold: float) -> bool:
    """Whether ``value`` improves on ``best`` by more than the threshold."""
    if rule == 'less':
        limit = best * (1.0 - threshold) if threshold_rule == 'rel' else best - threshold
        return value < limit
    limit = best * (threshold + 1.0) if threshold_rule == 'rel' else best + threshold
    return value > limit


def reduced(value: float, factor: float, minimum: float, eps: float) -> float:
    """``max(value * factor, minimum)``, or ``value`` when that changes it by ``eps`` or less."""
    new = max(value * factor, minimum)
    return new if value - new > eps else value


@PARAM_SCHEDULERS.register_module()
class ReduceOnPlateauParamScheduler(ParamScheduler):
    """Multiply the value by ``factor`` when ``monitor`` has not improved for ``patience``
    validations.

    It steps on validation results (``step(metrics)``); ``step()`` without metrics, called after
    every training epoch, only counts epochs for the ``begin``/``end`` window. There is no
    construction-time step and no closed form: the value depends on the metrics.

    Args:
        monitor: Name of the validation metric to watch.
        rule: ``'less'`` (lower is better) or ``'greater'``.
        factor: Multiplier applied on a plateau, in ``(0, 1)``.
        patience: Validations without improvement tolerated before reducing.
        threshold: Minimal improvement, >= 0.
        threshold_rule: ``'rel'`` (relative to the best) or ``'abs'``.
        cooldown: Validations to wait after a reduction before counting again.
        min_value: Lower bound: one number or one per param group.
        eps: Reductions smaller than this are skipped.
        begin, end, last_step, by_epoch, verbose: See :class:`~.base.ParamScheduler`;
            ``by_epoch`` must be True.
    """

    need_val_args = True
    hparam_names = (
        'monitor',
        'rule',
        'factor',
        'patience',
        'threshold',
        'threshold_rule',
        'cooldown',
        'min_value',
        'eps',
    )

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        monitor: str = 'loss',
        rule: str = 'less',
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_rule: str = 'rel',
        cooldown: int = 0,
        min_value: float | list[float] = 0.0,
        eps: float = 1e-8,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        if by_epoch is not True:
            raise ConfigError(
                'ReduceOnPlateau schedulers step on validation results, which come once per '
                'validation; they need by_epoch=True (the default), got '
                f'by_epoch={short_repr(by_epoch)}'
            )
        if not isinstance(monitor, str):
            raise ConfigError(f'monitor must be the name of a metric, got {short_repr(monitor)}')
        self.monitor = monitor
        self.rule = check_choice('rule', rule, ('less', 'greater'))
        self.factor = check_real('factor', factor, low=0, high=1, low_open=True, high_open=True)
        self.patience = check_whole('patience', patience, low=0)
        self.threshold = check_real('threshold', threshold, low=0)
        self.threshold_rule = check_choice('threshold_rule', threshold_rule, ('rel', 'abs'))
        self.cooldown = check_whole('cooldown', cooldown, low=0)
        self.eps = check_real('eps', eps, low=0)
        self.min_value = min_value
        self._attach(optimizer, param_name, begin, end, last_step, by_epoch, verbose)
        self.min_values = per_group(
            'min_value', min_value, real_group_count(optimizer), len(optimizer.param_groups)
        )
        self._global_step = 0
        self._reset_metric_progress()

    def _reset_metric_progress(self) -> None:
        self.best = math.inf if self.rule == 'less' else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        #: ``_global_step`` at each reduction, so a resumed run can re-apply them.
        self.reductions: list[int] = []

    def step(self, metrics: Mapping[str, Any] | None = None) -> None:  # type: ignore[override]
        """Count an epoch (``metrics=None``) or react to validation ``metrics``."""
        if metrics is None:
            self._global_step += 1
            return
        if not isinstance(metrics, Mapping):
            raise TypeError(
                f'metrics must be a dict of metric values, got {type(metrics).__name__}'
            )
        if not self.begin <= self._global_step < self.end:
            return
        self.last_step += 1
        if self.monitor not in metrics:
            names = [str(k) for k in metrics]
            produced = ', '.join(map(repr, names)) or 'no metrics'
            raise MissingMetricError(
                f'{type(self).__name__} monitors {self.monitor!r}, but validation produced only '
                f'{produced}.{suggestion_text(self.monitor, names)}'
            )
        value = float(metrics[self.monitor])
        if is_better(value, self.best, self.rule, self.threshold_rule, self.threshold):
            self.best = value
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce()
            self.reductions.append(self._global_step)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0

    def _reduce(self) -> None:
        groups = self.optimizer.param_groups
        current = self._current(groups)
        values = [
            reduced(float(v), self.factor, m, self.eps) for v, m in zip(current, self.min_values)
        ]
        self._write(groups, values)

    # -- checkpoints ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state.update(
            best=self.best,
            num_bad_epochs=self.num_bad_epochs,
            cooldown_counter=self.cooldown_counter,
            reductions=list(self.reductions),
        )
        return state

    def _load_progress(self, state_dict: Mapping[str, Any]) -> None:
        super()._load_progress(state_dict)
        self.best = float(state_dict.get('best', self.best))
        self.num_bad_epochs = int(state_dict.get('num_bad_epochs', 0))
        self.cooldown_counter = int(state_dict.get('cooldown_counter', 0))
        self.reductions = [int(s) for s in state_dict.get('reductions', [])]

    def _restart(self) -> None:
        """Back to the start of training, keeping the metric history (for a replay)."""
        self.last_step = -1
        self._global_step = 0

    def metric_progress(self) -> dict[str, Any]:
        keys = ('last_step', 'best', 'num_bad_epochs', 'cooldown_counter', 'reductions')
        return {k: getattr(self, k) for k in keys}

    def _rederive_alone(self) -> None:
        groups = self.optimizer.param_groups
        self._write(groups, list(self.base_values))
        for _ in self.reductions:
            self._reduce()

    @classmethod
    def build_iter_from_epoch(cls, *args: Any, **kwargs: Any):
        raise ConfigError(
            f'convert_to_iter_based is not supported by {cls.__name__}: it reacts to '
            'validation results, which do not come every iteration; remove '
            'convert_to_iter_based'
        )


@PARAM_SCHEDULERS.register_module()
@with_param_name('lr')
class ReduceOnPlateauLR(ReduceOnPlateauParamScheduler):
    """:class:`ReduceOnPlateauParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
@with_param_name('momentum')
class ReduceOnPlateauMomentum(MomentumSchedulerMixin, ReduceOnPlateauParamScheduler):
    """:class:`ReduceOnPlateauParamScheduler` on momentum (``betas[0]`` for Adam-family
    optimizers)."""
