"""``Evaluator``: runs one or more metrics over a validation or test loop."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError
from ..registry import EVALUATOR, METRICS
from .metric import BaseMetric


@EVALUATOR.register_module()
class Evaluator:
    """A list of metrics fed the same batches.

    Args:
        metrics: A metric, a metric config dict, or a list of them.
    """

    def __init__(self, metrics: Any) -> None:
        if isinstance(metrics, (Mapping, BaseMetric)):
            metrics = [metrics]
        if not isinstance(metrics, Sequence) or not metrics:
            raise ConfigError(f'metrics must be a metric config or a list of them, got {metrics!r}')
        self.metrics: list[BaseMetric] = []
        for index, metric in enumerate(metrics):
            if isinstance(metric, Mapping):
                metric = METRICS.build(metric, key_path=f'metrics.{index}')
            if not isinstance(metric, BaseMetric):
                raise ConfigError(
                    f'{type(metric).__name__} is not a metric (a BaseMetric subclass)',
                    f'metrics.{index}',
                )
            self.metrics.append(metric)
        self._dataset_meta: dict | None = None

    @property
    def dataset_meta(self) -> dict | None:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, meta: dict | None) -> None:
        self._dataset_meta = meta
        for metric in self.metrics:
            metric.dataset_meta = meta

    def process(self, data_samples: Sequence[Any], data_batch: Any = None) -> None:
        """Hand one batch's predictions to every metric."""
        for metric in self.metrics:
            metric.process(data_batch, data_samples)

    def evaluate(self, size: int) -> dict[str, float]:
        """Every metric's results, merged (two metrics may not produce the same name)."""
        results: dict[str, float] = {}
        for metric in self.metrics:
            for name, value in metric.evaluate(size).items():
                if name in results:
                    raise ConfigError(
                        f'two metrics both produce {name!r}; give one of them another prefix'
                    )
                results[name] = value
        return results


def build_evaluator(cfg: Any, key_path: str) -> Evaluator:
    """An :class:`Evaluator` from an evaluator, a metric config, a list of metric configs, or
    ``dict(type=..., metrics=[...])`` naming an evaluator class."""
    if isinstance(cfg, Evaluator):
        return cfg
    if isinstance(cfg, Mapping) and 'metrics' in cfg:
        return EVALUATOR.build({'type': 'Evaluator', **cfg}, key_path=key_path)
    if isinstance(cfg, (Mapping, BaseMetric)):
        items, paths = [cfg], [key_path]
    elif isinstance(cfg, Sequence) and not isinstance(cfg, str):
        items, paths = list(cfg), [f'{key_path}.{i}' for i in range(len(cfg))]
    else:
        raise ConfigError(
            f"must be a metric config such as dict(type='Accuracy', topk=(1,)), a list of them "
            f'or an Evaluator, got {cfg!r}',
            key_path,
        )
    metrics = [
        METRICS.build(item, key_path=path) if isinstance(item, Mapping) else item
        for item, path in zip(items, paths)
    ]
    return Evaluator(metrics)
