"""Constant factor: ``start * factor`` for the window, back to ``start`` on its last step."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Curve


@dataclass(frozen=True)
class ConstantCurve(Curve):
    """``factor`` from ``t = 0`` until the last step of the window (``total``), then 1.

    As in the reference the factor holds for ``total = end - begin - 1`` steps, not for
    ``end - begin`` (its ``ConstantLR(factor, end=3)`` gives ``.05, .05, .1``). A window of one
    step (``total = 0``) keeps the factor.
    """

    factor: float
    total: float

    def shape(self, t: int) -> float:
        return self.factor if t == 0 or t < self.total else 1.0
