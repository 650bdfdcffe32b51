"""``EarlyStoppingHook``: stop training when a validation metric stops improving.

After each validation the monitored metric is compared with the best value so far. A value
counts as an improvement when it beats the best by at least ``min_delta``; after ``patience``
validations without one (or when the value is not finite, or reaches ``stopping_threshold``)
the train loop's ``stop_training`` is set and training ends after the current epoch
(epoch-based) or iteration (iteration-based). Every decision is logged with the value seen.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import ConfigError, short_repr, suggestion_text
from ..registry import HOOKS
from .checkpoint_hook import DEFAULT_GREATER_KEYS, DEFAULT_LESS_KEYS, RULES, infer_rule
from .hook import Hook


def improved(value: float, best: float, rule: str, min_delta: float) -> bool:
    """Whether ``value`` beats ``best`` by at least ``min_delta`` in the ``rule`` direction."""
    if rule == 'greater':
        return not best + min_delta > value
    return not best - min_delta < value


@HOOKS.register_module()
class EarlyStoppingHook(Hook):
    """Stop training when ``monitor`` has not improved for ``patience`` validations.

    Args:
        monitor: The metric name, as the evaluator reports it (``'accuracy/top1'``).
        rule: ``'greater'`` or ``'less'`` is better; inferred from the name when ``None``
            (like ``CheckpointHook``'s ``save_best``: ``acc``, ``top``, ... mean greater,
            ``loss`` less).
        min_delta: The smallest change that counts as an improvement.
        strict: Raise an error when a validation does not report ``monitor`` (otherwise
            warn and skip that validation).
        check_finite: Stop when the metric is NaN or infinite.
        patience: Validations without improvement before stopping.
        stopping_threshold: Stop as soon as the metric is better than this value.
    """

    priority = 'LOWEST'

    def __init__(
        self,
        monitor: str,
        rule: str | None = None,
        min_delta: float = 0.1,
        strict: bool = False,
        check_finite: bool = True,
        patience: int = 5,
        stopping_threshold: float | None = None,
    ) -> None:
        if not isinstance(monitor, str) or not monitor:
            raise ConfigError(
                f"monitor must be a metric name such as 'accuracy/top1', got {short_repr(monitor)}"
            )
        if rule is None:
            try:
                rule = infer_rule(monitor, DEFAULT_GREATER_KEYS, DEFAULT_LESS_KEYS)
            except ConfigError as exc:
                raise ConfigError(exc.message) from None
        elif rule not in RULES:
            raise ConfigError(f"rule must be 'greater' or 'less', got {short_repr(rule)}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float)) or min_delta < 0:
            raise ConfigError(f'min_delta must be a number >= 0, got {short_repr(min_delta)}')
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
            raise ConfigError(f'patience must be a positive int, got {short_repr(patience)}')
        if stopping_threshold is not None and (
            isinstance(stopping_threshold, bool) or not isinstance(stopping_threshold, (int, float))
        ):
            raise ConfigError(
                f'stopping_threshold must be a number or None, got {short_repr(stopping_threshold)}'
            )
        self.monitor = monitor
        self.rule = rule
        self.min_delta = float(min_delta)
        self.strict = strict
        self.check_finite = check_finite
        self.patience = patience
        self.stopping_threshold = stopping_threshold
        self.wait_count = 0
        self.best_score = -math.inf if rule == 'greater' else math.inf
        self._warned_missing = False

    def before_run(self, runner) -> None:
        loop = runner.built_train_loop  # None in a standalone val() / test()
        if loop is not None and not hasattr(loop, 'stop_training'):
            raise ConfigError(
                f'EarlyStoppingHook needs a train loop with a stop_training flag; '
                f'{type(loop).__name__} has none'
            )

    def check(self, value: float) -> tuple[bool, str]:
        """Record one validation result: ``(stop, reason)``."""
        better = '>' if self.rule == 'greater' else '<'
        if self.check_finite and not math.isfinite(value):
            return True, (
                f'{self.monitor} = {value} is not finite (best so far {self.best_score:.4f})'
            )
        if self.stopping_threshold is not None and (
            value > self.stopping_threshold
            if self.rule == 'greater'
            else value < self.stopping_threshold
        ):
            self.best_score = value
            return True, (
                f'{self.monitor} = {value:.4f} reached the stopping threshold '
                f'({better} {self.stopping_threshold})'
            )
        if improved(value, self.best_score, self.rule, self.min_delta):
            self.best_score = value
            self.wait_count = 0
            return False, f'{self.monitor} = {value:.4f} is the best so far'
        self.wait_count += 1
        stop = self.wait_count >= self.patience
        return stop, (
            f'{self.monitor} = {value:.4f} did not improve on {self.best_score:.4f} by '
            f'{self.min_delta:g} ({self.wait_count} of {self.patience} validations without '
            'improvement)'
        )

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        loop = runner.built_train_loop
        if loop is None or not runner.training:
            return  # a standalone runner.val(): nothing to stop
        metrics = metrics or {}
        if self.monitor not in metrics:
            message = (
                f'EarlyStoppingHook: the validation metrics have no {self.monitor!r}.'
                f'{suggestion_text(self.monitor, metrics)} Metrics: {", ".join(metrics) or "none"}'
            )
            if self.strict:
                raise ConfigError(message + ' (or set strict=False to skip such validations)')
            if not self._warned_missing:
                self._warned_missing = True
                runner.logger.warning(message + '; early stopping skips these validations')
            return
        stop, reason = self.check(float(metrics[self.monitor]))
        if stop:
            loop.stop_training = True
            runner.logger.info(f'Early stopping: {reason}; training stops here')
        else:
            runner.logger.info(f'EarlyStoppingHook: {reason}')

    # -- resume ------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        return {'wait_count': self.wait_count, 'best_score': self.best_score}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.wait_count = int(state['wait_count'])
        self.best_score = float(state['best_score'])
