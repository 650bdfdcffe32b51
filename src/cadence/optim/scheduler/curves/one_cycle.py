"""The 1cycle policy: up from ``eta_max / div_factor`` to ``eta_max``, then down to a minimum."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .base import Carry, Curve


@dataclass(frozen=True)
class OneCycleCurve(Curve):
    """Two or three phases between per-group endpoints derived from the peak (``base`` here).

    With ``P = pct_start * total_steps`` the phases end at steps ``P - 1`` and ``total_steps - 1``
    (three-phase: ``P - 1``, ``2P - 2``, ``total_steps - 1``), as in the reference. Within a phase
    ``pct`` goes from 0 to 1 and the value moves from the phase's start to its end along a half
    cosine or a line. The value never depends on what came before (not chained).
    """

    total_steps: int
    pct_start: float = 0.3
    anneal_strategy: str = 'cos'
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    phase_ends: tuple[float, ...] = field(init=False, repr=False, compare=False)
    chained = False

    def __post_init__(self) -> None:
        warm = float(self.pct_start * self.total_steps) - 1
        if self.three_phase:
            ends = (warm, float(2 * self.pct_start * self.total_steps) - 2, self.total_steps - 1)
        else:
            ends = (warm, self.total_steps - 1)
        object.__setattr__(self, 'phase_ends', ends)

    @property
    def length(self) -> float:  # type: ignore[override]
        return self.total_steps

    def segment(self, t: int) -> int:
        ends = self.phase_ends
        for index, end in enumerate(ends):
            if t <= end:
                return index
        return len(ends) - 1

    def segments(self, ts: np.ndarray) -> np.ndarray:
        ends = np.asarray(self.phase_ends, dtype=np.float64)
        index = np.searchsorted(ends, ts, side='left')
        return np.minimum(index, len(ends) - 1).astype(np.int64)

    def shape(self, t: int) -> float:
        index = self.segment(t)
        ends = self.phase_ends
        first = ends[index - 1] if index > 0 else 0
        last = ends[index]
        pct = (t - first) / (last - first) if last != first else 1.0
        if self.anneal_strategy == 'cos':
            return (1 + math.cos(math.pi * pct)) / 2
        return 1.0 - pct

    def carry(self, segment: int) -> Carry:
        return Carry.ABSOLUTE

    def endpoints(self, peak: float) -> tuple[float, float, float]:
        """``(initial, peak, minimum)`` for a group whose peak is ``peak``."""
        initial = peak / self.div_factor
        return initial, peak, initial / self.final_div_factor

    def anchor_eta(self, segment: int, start: float, base: float) -> tuple[float, float]:
        initial, peak, minimum = self.endpoints(base)
        if self.three_phase:
            phases = ((initial, peak), (peak, initial), (initial, minimum))
        else:
            phases = ((initial, peak), (peak, minimum))
        return phases[segment]
