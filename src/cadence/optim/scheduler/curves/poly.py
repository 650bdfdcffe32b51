"""Polynomial decay to ``eta_min`` over the window."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Curve


@dataclass(frozen=True)
class PolyCurve(Curve):
    """``eta_min + (start - eta_min) * (1 - t / total) ** power``; reaches ``eta_min`` at ``total``.

    ``total = end - begin - 1`` is the window's last step.
    """

    eta_min: float
    power: float
    total: float

    def shape(self, t: int) -> float:
        if self.total <= 0:
            return 1.0
        if t > self.total:
            t = self.total
        return (1.0 - t / self.total) ** self.power

    def anchor_eta(self, segment: int, start: float, base: float) -> tuple[float, float]:
        return start, self.eta_min
