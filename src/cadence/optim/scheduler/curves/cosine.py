"""Cosine annealing to ``eta_min`` over ``T_max`` steps, and cosine with restarts."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import numpy as np

from .base import Carry, Curve


def cosine_factor(step: float, period: float) -> float:
    """``(1 + cos(pi * step / period)) / 2``: 1 at ``step = 0``, 0 at ``step = period``."""
    return (1 + math.cos(math.pi * step / period)) / 2


@dataclass(frozen=True)
class CosineCurve(Curve):
    """Half a cosine from the start value down to ``eta`` over ``T_max`` steps.

    Reference behaviour kept on purpose: ``T_max`` defaults to ``end - begin`` while the last
    step of the window is ``end - begin - 1``, so a default cosine never quite reaches ``eta``.
    When the window is longer than ``T_max`` the value rises again: after each trough (an integral
    ``T_max``) the next half-period is anchored at the *base* value, as the reference's restart
    branch does. ``eta`` is ``eta_min``, or ``base * eta_min_ratio`` per group.
    """

    T_max: float
    eta_min: float | None = None
    eta_min_ratio: float | None = None
    #: ``T_max`` as an int when the reference's trough test can fire (integral ``T_max``).
    _period: int | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        integral = isinstance(self.T_max, int) or float(self.T_max).is_integer()
        object.__setattr__(self, '_period', int(self.T_max) if integral else None)
        if self.eta_min is None and self.eta_min_ratio is None:
            object.__setattr__(self, 'eta_min', 0.0)

    def shape(self, t: int) -> float:
        return (1 + math.cos(math.pi * t / self.T_max)) / 2  # cosine_factor, inlined (hot path)

    def segment(self, t: int) -> int:
        period = self._period
        if period is None:
            return 0
        return (t - 1 + period) // (2 * period)

    def has_segments(self, steps: float) -> bool:
        return self._period is not None and self._period + 1 < steps

    def segments(self, ts: np.ndarray) -> np.ndarray:
        period = self._period
        if period is None:
            return np.zeros(len(ts), dtype=np.int64)
        return (ts.astype(np.int64) - 1 + period) // (2 * period)

    def segment_key(self, segment: int) -> int:
        return min(segment, 1)

    def segment_keys(self, segments: np.ndarray) -> np.ndarray:
        return np.minimum(segments, 1)

    def carry(self, segment: int) -> Carry:
        return Carry.START if segment == 0 else Carry.ADDITIVE

    def eta(self, base: float) -> float:
        return self.eta_min if self.eta_min_ratio is None else base * self.eta_min_ratio

    def anchor_eta(self, segment: int, start: float, base: float) -> tuple[float, float]:
        return (start if segment == 0 else base), self.eta(base)


@dataclass(frozen=True)
class CosineRestartCurve(Curve):
    """Cosine periods, each restarting from ``base * restart_weight``.

    Period ``i`` covers local steps ``[C[i-1], C[i])`` (``C`` the cumulative periods); within it
    the value is ``eta + (base * w[i] - eta) * (1 + cos(pi * s / periods[i])) / 2`` with ``s``
    the step inside the period, so like the reference it never reaches ``eta``. After the last
    period the value is held.
    """

    periods: tuple[int, ...]
    restart_weights: tuple[float, ...]
    eta_min: float | None = None
    eta_min_ratio: float | None = None
    cumulative: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        total, cumulative = 0, []
        for period in self.periods:
            total += period
            cumulative.append(total)
        object.__setattr__(self, 'cumulative', tuple(cumulative))

    @property
    def length(self) -> float:  # type: ignore[override]
        return self.cumulative[-1]

    def segment(self, t: int) -> int:
        return bisect.bisect_right(self.cumulative, t)

    def segments(self, ts: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.asarray(self.cumulative), ts, side='right').astype(np.int64)

    def shape(self, t: int) -> float:
        index = self.segment(t)
        first = self.cumulative[index - 1] if index > 0 else 0
        return cosine_factor(t - first, self.periods[index])

    def carry(self, segment: int) -> Carry:
        return Carry.ABSOLUTE

    def anchor_eta(self, segment: int, start: float, base: float) -> tuple[float, float]:
        eta = self.eta_min if self.eta_min_ratio is None else base * self.eta_min_ratio
        return base * self.restart_weights[segment], eta
