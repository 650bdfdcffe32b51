"""Schedulers computed from closed forms: the base of every built-in family.

Each group's value at local step ``t`` is ``eta + (anchor - eta) * curve.shape(t)`` (see
:mod:`.curves`). The anchor is set when a segment of the curve starts (for most families: the
value in force when the scheduler starts, so a scheduler scales whatever came before it) and is
moved only when something else changed the value since this scheduler last wrote it (an
overlapping scheduler, the user), by exactly what the reference's chained formula implies. So
lists of schedulers behave as in the reference, a scheduler acting alone follows its closed form
(zero factors included), and the value over a whole range of steps can be computed at once with
the same numbers (:meth:`CurveScheduler._advance_many`, used by the preview and by resume).
"""

from __future__ import annotations

import numpy as np

from .base import ParamScheduler
from .curves import Carry, Curve


class CurveScheduler(ParamScheduler):
    """A scheduler whose values come from a closed-form :class:`~.curves.Curve`.

    Subclasses build their curve in :meth:`_build_curve` from their validated arguments.
    """

    curve: Curve

    def _build_curve(self) -> Curve:
        raise NotImplementedError

    def _curve_bases(self) -> list[float]:
        """Per-group base values the curve is anchored on (the peak, for one-cycle)."""
        return list(self.base_values)

    def _setup(self) -> None:
        self.curve = self._build_curve()
        self._stop = min(self.end, self.begin + self.curve.length)
        self._segmented = self.curve.has_segments(self._stop - self.begin)
        self._bases = self._curve_bases()
        self._segment = -1
        self._anchors: list[float] = []
        self._etas: list[float] = []
        self._starts: list[float] | None = None
        self._written: list[float] | None = None
        self._last_shape = 1.0

    def _anchor_eta(
        self, index: int, segment: int, start: float | None = None
    ) -> tuple[float, float]:
        """``(anchor, eta)`` of group ``index`` in ``segment`` (``start``: its start value)."""
        start = self._starts[index] if start is None else start
        return self.curve.anchor_eta(segment, start, self._bases[index])

    def _carries(self, index: int) -> bool:
        """Whether an outside change of group ``index`` is carried along."""
        return True

    def _advance(self, t: int) -> None:
        # The per-iteration hot path: plain loops, no per-group method calls.
        curve = self.curve
        shape = curve.shape(t)
        segment = curve.segment(t) if self._segmented else 0
        groups = self.optimizer.param_groups
        key = self.param_name
        betas = self._betas
        current = [g['betas'][0] for g in groups] if betas else [g[key] for g in groups]
        written = self._written
        if segment != self._segment or written is None:
            self._enter_segment(segment, shape, current)
        elif current != written and curve.chained and self._last_shape != 0.0:
            anchors, etas, previous = self._anchors, self._etas, self._last_shape
            for index, value in enumerate(current):
                if value != written[index] and self._carries(index):
                    eta = etas[index]
                    anchors[index] = eta + (value - eta) / previous
        values = [eta + (anchor - eta) * shape for anchor, eta in zip(self._anchors, self._etas)]
        if betas or self.verbose:
            self._write(groups, values)
        else:
            for group, value in zip(groups, values):
                group[key] = value
        self._written = values
        self._last_shape = shape

    def _enter_segment(self, segment: int, shape: float, current: list[float]) -> None:
        if self._starts is None:
            self._starts = list(self._bases) if self._resumed_without_state else list(current)
        carry = self.curve.carry(segment)
        written = self._written
        anchors, etas = [], []
        for index, value in enumerate(current):
            anchor, eta = self._anchor_eta(index, segment)
            if (
                carry is Carry.ADDITIVE
                and written is not None
                and value != written[index]
                and shape != 0.0
                and self._carries(index)
            ):
                anchor = anchor + (value - eta) / shape
            anchors.append(anchor)
            etas.append(eta)
        self._anchors, self._etas, self._segment = anchors, etas, segment

    def _advance_many(self, count: int) -> np.ndarray:
        """Take ``count`` steps at once, all inside the window, with nobody else writing.

        Returns the values after each step, shape ``(count, groups)``, identical to what
        ``count`` calls of :meth:`step` would write. The scheduler must have stepped at least
        once inside its window before (so its anchors are set).
        """
        first = self.last_step + 1
        steps = np.arange(first, first + count, dtype=np.int64)
        curve = self.curve
        shapes = curve.shapes(steps)
        segments = curve.segments(steps)
        same = segments == self._segment
        uniform = bool(same.all())
        keys = None if uniform else curve.segment_keys(segments)
        out = np.empty((count, len(self._anchors)))
        for index, (anchor, eta) in enumerate(zip(self._anchors, self._etas)):
            if uniform:
                out[:, index] = eta + (anchor - eta) * shapes
                continue
            table = [self._anchor_eta(index, key) for key in range(int(keys.max()) + 1)]
            anchors = np.array([a for a, _ in table])[keys]
            etas = np.array([e for _, e in table])[keys]
            anchors[same] = anchor
            etas[same] = eta
            out[:, index] = etas + (anchors - etas) * shapes
        last_segment = int(segments[-1])
        if last_segment != self._segment:
            pairs = [self._anchor_eta(i, last_segment) for i in range(len(self._anchors))]
            self._anchors = [a for a, _ in pairs]
            self._etas = [e for _, e in pairs]
            self._segment = last_segment
        self.last_step = first + count - 1
        self._global_step += count
        self._written = out[-1].tolist()
        self._last_shape = float(shapes[-1])
        self._write(self.optimizer.param_groups, self._written)
        return out

    def value_at(self, step: int) -> list[float]:
        """Closed-form values at global ``step`` of a scheduler acting alone from its bases."""
        local = min(step, self._stop - 1) - self.begin
        if local < 0:
            return list(self.base_values)
        segment = self.curve.segment(local)
        shape = self.curve.shape(local)
        pairs = [self._anchor_eta(i, segment, start=b) for i, b in enumerate(self._bases)]
        return [eta + (anchor - eta) * shape for anchor, eta in pairs]

    def _rederive_alone(self) -> None:
        local = self.last_step
        resumed_at = (self.last_step, self._global_step)
        self._setup()
        self.last_step, self._global_step = resumed_at
        if local < 0:
            return
        self._resumed_without_state = True
        self._advance(min(local, self._stop - 1 - self.begin))
