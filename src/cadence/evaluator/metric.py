"""``BaseMetric``: accumulate per-sample results batch by batch, then compute once."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Sequence
from typing import Any

from ..dist import broadcast_object, collect_results, is_main_process


class BaseMetric(metaclass=ABCMeta):
    """Base class of metrics.

    Subclasses implement :meth:`process` (append one entry per sample to ``self.results``)
    and :meth:`compute_metrics` (turn all entries into a dict of numbers). :meth:`evaluate`
    gathers the entries of every rank in dataset order, computes on rank 0 and shares the
    result.

    Args:
        collect_device: Where results are gathered (``'cpu'``; kept for config compatibility).
        prefix: Prepended to every metric name as ``'{prefix}/name'``; defaults to the class's
            ``default_prefix``.
    """

    default_prefix: str | None = None

    def __init__(self, collect_device: str = 'cpu', prefix: str | None = None) -> None:
        self.collect_device = collect_device
        self.prefix = prefix or self.default_prefix
        self.results: list[Any] = []
        self.dataset_meta: dict | None = None

    @abstractmethod
    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Record what :meth:`compute_metrics` needs from one batch."""

    @abstractmethod
    def compute_metrics(self, results: list[Any]) -> dict[str, float]:
        """The metrics over every recorded sample."""

    def evaluate(self, size: int) -> dict[str, float]:
        """Metrics over the whole dataset of ``size`` samples (padding removed), then reset."""
        results = collect_results(self.results, size)
        metrics = self.compute_metrics(results) if is_main_process() else None
        metrics = broadcast_object(metrics)
        self.results.clear()
        if self.prefix:
            return {f'{self.prefix}/{name}': value for name, value in metrics.items()}
        return dict(metrics)
