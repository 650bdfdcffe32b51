"""Step decay: multiply by ``gamma`` every ``step_size`` steps, or at given milestones."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .base import Curve


@dataclass(frozen=True)
class StepCurve(Curve):
    """``gamma ** (t // step_size)``."""

    step_size: int
    gamma: float

    def shape(self, t: int) -> float:
        return self.gamma ** (t // self.step_size)


@dataclass(frozen=True)
class MultiStepCurve(Curve):
    """``gamma ** (number of milestones <= t)``; a repeated milestone counts each time.

    Milestones are local steps: they count from the scheduler's ``begin`` (reference
    behaviour), so ``milestones=[2, 4]`` with ``begin=3`` decays at global steps 5 and 7.
    """

    milestones: tuple[int, ...]  # sorted, duplicates kept
    gamma: float

    def shape(self, t: int) -> float:
        return self.gamma ** bisect.bisect_right(self.milestones, t)
