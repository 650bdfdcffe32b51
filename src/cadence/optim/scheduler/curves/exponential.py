"""Exponential decay: ``gamma ** t``."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Curve


@dataclass(frozen=True)
class ExponentialCurve(Curve):
    """``gamma ** t``: multiply by ``gamma`` every step."""

    gamma: float

    def shape(self, t: int) -> float:
        return self.gamma**t
