"""Linear factor from ``start_factor`` to ``end_factor`` over the window (warm-up)."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Curve


@dataclass(frozen=True)
class LinearCurve(Curve):
    """``start_factor + (end_factor - start_factor) * t / total`` for ``t <= total``.

    ``total = end - begin - 1`` is the last step of the window, so the end factor is reached on
    it. A window of one step (``total = 0``) keeps ``start_factor``. A zero start factor is fine:
    nothing is divided by it (the reference's chained form divides by the previous factor).
    """

    start_factor: float
    end_factor: float
    total: float

    def shape(self, t: int) -> float:
        if self.total <= 0:
            return self.start_factor
        if t > self.total:
            t = self.total
        return self.start_factor + (self.end_factor - self.start_factor) * t / self.total
