"""``Accuracy``: top-k classification accuracy in percent (MMPretrain's metric and names)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ..errors import ConfigError
from ..registry import METRICS
from .metric import BaseMetric


@METRICS.register_module()
class Accuracy(BaseMetric):
    """Top-k accuracy (percent) from predictions carrying ``pred_score`` and ``gt_label``.

    A sample counts as correct for ``k`` when its label is among the ``k`` highest scores and
    that score exceeds the threshold. Metric names are ``accuracy/top{k}``; with several
    thresholds each name gets a suffix ``_thr-0.50`` (``_no-thr`` for ``None``).

    Args:
        topk: The k values, e.g. ``(1, 5)``.
        thrs: Score threshold(s); ``None`` means no threshold.
        collect_device: See :class:`BaseMetric`.
        prefix: See :class:`BaseMetric` (default ``'accuracy'``).
    """

    default_prefix = 'accuracy'

    def __init__(
        self,
        topk: int | Sequence[int] = (1,),
        thrs: float | Sequence[float | None] | None = 0.0,
        collect_device: str = 'cpu',
        prefix: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = (topk,) if isinstance(topk, int) else tuple(topk)
        if not self.topk or any(
            isinstance(k, bool) or not isinstance(k, int) or k < 1 for k in self.topk
        ):
            raise ConfigError(f'topk must be a positive int or a list of them, got {topk!r}')
        self.thrs = (thrs,) if thrs is None or isinstance(thrs, (int, float)) else tuple(thrs)

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        if not data_samples:
            return
        first = data_samples[0]
        if not isinstance(first, dict) or 'gt_label' not in first or 'pred_score' not in first:
            keys = sorted(first) if isinstance(first, dict) else type(first).__name__
            raise TypeError(
                f'Accuracy needs predictions with "pred_score" and "gt_label", got {keys}; '
                f"make the model's predict mode return them"
            )
        scores = torch.stack([s['pred_score'] for s in data_samples]).float().cpu()
        labels = torch.stack([torch.as_tensor(s['gt_label']) for s in data_samples]).cpu()
        self.results.extend(
            {'pred_score': s, 'gt_label': g} for s, g in zip(scores.unbind(0), labels.unbind(0))
        )

    def compute_metrics(self, results: list[Any]) -> dict[str, float]:
        if not results:
            raise ValueError('Accuracy got no samples to evaluate')
        scores = torch.stack([r['pred_score'] for r in results])
        labels = torch.stack([r['gt_label'] for r in results]).view(-1)
        num_classes = scores.shape[1]
        if max(self.topk) > num_classes:
            raise ConfigError(
                f'topk={self.topk} asks for more classes than the {num_classes} predicted'
            )
        top_scores, top_labels = scores.topk(max(self.topk), dim=1)
        hits = top_labels == labels.view(-1, 1)
        metrics = {}
        for k in self.topk:
            for thr in self.thrs:
                correct = hits[:, :k]
                if thr is not None:
                    correct = correct & (top_scores[:, :k] > thr)
                name = f'top{k}'
                if len(self.thrs) > 1:
                    name += '_no-thr' if thr is None else f'_thr-{thr:.2f}'
                metrics[name] = correct.any(dim=1).double().mean().item() * 100.0
        return metrics
